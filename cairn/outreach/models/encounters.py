"""Outreach encounters."""
