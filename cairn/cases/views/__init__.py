"""Case pages (HTML). The API in `cairn/api/cases/` calls the same actions and queries."""
