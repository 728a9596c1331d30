"""Case pages (HTML). The API in `cairn/api/cases.py` calls the same actions and queries."""
