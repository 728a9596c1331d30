"""Case definitions and classifications (owned by the classification work)."""
