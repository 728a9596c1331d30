"""Teams, members, funding and action plans."""
