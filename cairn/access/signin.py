"""How many failed sign-ins Cairn accepts before it stops checking passwords for a while.

Two limits, counted from the audit log's `auth.login_failed` events (each keeps the
username tried, as typed and as counted, and the client's address), over a sliding
window:

- one account from one address: `CAIRN_SIGN_IN_ACCOUNT_LIMIT` failures (default 5).
  A successful sign-in from that address starts the count again. Counting per address
  means someone guessing a nurse's password elsewhere cannot lock the nurse out.
- one address, whatever the accounts: `CAIRN_SIGN_IN_ADDRESS_LIMIT` failures (default
  30), against trying one common password on many accounts.

While a limit is reached, a sign-in from there is refused without checking the
password, until the oldest counted failure leaves the window
(`CAIRN_SIGN_IN_WINDOW_MINUTES`, default 15). Each refusal is audited too.
The address is the connection's (`REMOTE_ADDR`): behind a reverse proxy, the proxy must
pass the client's address on (docs/access.md).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from cairn.access.models import AuditEvent

FAILED = "auth.login_failed"
SIGNED_IN = "auth.login"
REFUSED = "auth.login_refused"


def account_limit() -> int:
    return settings.CAIRN_SIGN_IN_ACCOUNT_LIMIT


def address_limit() -> int:
    return settings.CAIRN_SIGN_IN_ADDRESS_LIMIT


def window() -> timedelta:
    return timedelta(minutes=settings.CAIRN_SIGN_IN_WINDOW_MINUTES)


def client_address(request) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def normalized(username: str) -> str:
    """The username as counted: what was typed, trimmed and lower-cased, at most 150."""
    return str(username or "").strip().lower()[:150]


@dataclass(frozen=True)
class Refusal:
    until: datetime
    reason: str  # "account" or "address"


def sign_in_refusal(username: str, address: str, *, now: datetime | None = None):
    """A Refusal while `username` from `address` may not try a password, else None."""
    now = now or timezone.now()
    since = now - window()
    failures = AuditEvent.objects.filter(
        action=FAILED, created_at__gte=since, details__address=address
    )
    # Per address: every account.
    limit = address_limit()
    stamps = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(stamps) >= limit:
        return Refusal(until=stamps[-1] + window(), reason="address")
    # Per account and address, since the last success from there.
    account = normalized(username)
    last_success = AuditEvent.objects.filter(
        action=SIGNED_IN,
        created_at__gte=since,
        details__address=address,
        details__account=account,
    ).aggregate(last=Max("created_at"))["last"]
    mine = failures.filter(details__account=account)
    if last_success is not None:
        mine = mine.filter(created_at__gt=last_success)
    limit = account_limit()
    stamps = list(mine.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(stamps) >= limit:
        return Refusal(until=stamps[-1] + window(), reason="account")
    return None


def refusal_message(refusal: Refusal) -> str:
    when = timezone.localtime(refusal.until).strftime("%H:%M")
    if refusal.reason == "address":
        return (
            "Too many failed sign-ins from this network. For everyone's safety Cairn is "
            f"not checking passwords from here until {when}."
        )
    return (
        "Too many failed sign-ins for this account from this device or network. "
        f"Try again after {when}, or ask your organization's Cairn administrator to "
        "reset your password."
    )
