"""Alert settings, each read from Django settings with a default (see docs/alerts.md)."""

import os

from django.conf import settings


def episode_gap_days() -> int:
    """A signal this many days or fewer after an episode's last period joins the episode."""
    return int(getattr(settings, "CAIRN_ALERT_EPISODE_GAP_DAYS", 7))


def email_horizon_days() -> int:
    """Alerts whose last period ended longer ago than this go to the inbox only, no email.

    A back-fill (a first run over two years of history) must not send hundreds of
    emails about clusters that are long over.
    """
    return int(getattr(settings, "CAIRN_ALERT_EMAIL_HORIZON_DAYS", 7))


def realtime_days() -> int:
    """The real-time check looks at records of today and this many days before."""
    return int(getattr(settings, "CAIRN_ALERT_REALTIME_DAYS", 2))


def site_url() -> str:
    """Where people open Cairn, for links in emails (no trailing slash)."""
    url = getattr(settings, "CAIRN_SITE_URL", "") or os.environ.get("CAIRN_SITE_URL", "")
    return (url or "http://localhost:8000").rstrip("/")


def from_email() -> str:
    return getattr(settings, "CAIRN_ALERT_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
