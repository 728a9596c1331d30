"""The campaigns app in Cairn's admin: one module per part, loaded here."""

from cairn.campaigns import admin_plan  # noqa: F401
