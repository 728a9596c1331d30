"""Surveillance dashboards: server-rendered charts, maps, tables and CSV exports.

Every page here reads the maintained count tables (cairn.surveillance.counts), never events.
"""
