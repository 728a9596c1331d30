"""Acute overdose risk assessment: the instrument definition and its scoring (pure, no Django)."""
