"""What the receiving organization sees: a snapshot of only what the consent allows.

The snapshot is taken when the referral is sent, as `{detail: [line, ...]}` with one
key per allowed `SharedDetail` and nothing else. From a case, the lines come from the
client record the sender opened through `cairn.cases.access.get_client_for_user` (an
audited read); otherwise from what the sender typed in the form. Without consent the
referral is anonymous: the reason only.
"""

import datetime as dt

from cairn.cases.models import Client
from cairn.cases.models.groups import CareGroup
from cairn.referrals.models import SharedDetail

D = SharedDetail

#: The order details are shown in, everywhere.
ORDER = [D.NAME, D.DATE_OF_BIRTH, D.CONTACT, D.REASON, D.SUBSTANCES, D.TREATMENT, D.GROUP]


def _yes_no(value, yes: str, no: str) -> str:
    return "" if value is None else (yes if value else no)


def client_lines(client: Client, detail: str) -> list[str]:
    """The lines one detail of a client record gives (empty when nothing is recorded)."""
    if detail == D.NAME:
        return [client.display_name] if client.display_name else []
    if detail == D.DATE_OF_BIRTH:
        if client.date_of_birth:
            return [client.date_of_birth.isoformat()]
        if client.approximate_age is not None:
            when = f" in {client.age_recorded_on:%Y}" if client.age_recorded_on else ""
            return [f"Date of birth not known; about {client.approximate_age} years old{when}"]
        return []
    if detail == D.CONTACT:
        lines = []
        for contact in client.contacts.filter(active=True):
            parts = [f"{contact.get_method_display()}: {contact.value}"]
            if contact.preferred:
                parts.append("preferred")
            parts += [
                _yes_no(
                    contact.safe_to_leave_message,
                    "a message may be left",
                    "do not leave a message",
                ),
                _yes_no(
                    contact.safe_to_say_who_is_calling,
                    "you may say who is calling",
                    "do not say who is calling",
                ),
            ]
            if contact.best_times:
                parts.append(f"best times: {contact.best_times}")
            if contact.note:
                parts.append(contact.note)
            lines.append("; ".join(p for p in parts if p))
        if client.safe_contact_notes:
            lines.append(f"Safe contact: {client.safe_contact_notes}")
        return lines
    if detail == D.SUBSTANCES:
        return _substances_and_overdoses(client)
    if detail == D.TREATMENT:
        from cairn.cases.treatment.status import status_for

        return [status_for(client).headline]
    if detail == D.GROUP:
        from cairn.cases.assessment.groups import current_group

        group = current_group(client)
        return [] if group == CareGroup.NOT_ASSESSED else [CareGroup(group).label]
    return []


def _substances_and_overdoses(client: Client) -> list[str]:
    from cairn.cases.models.episodes import EpisodeSource

    episodes = list(client.episodes.order_by("occurred_at").values_list("occurred_at", flat=True))
    substances: list[str] = []
    sources = EpisodeSource.objects.filter(episode__client=client).select_related("event")
    for source in sources.order_by("linked_at"):
        for substance in source.event.suspected_substances or []:
            if substance and substance not in substances:
                substances.append(str(substance))
    lines = []
    if substances:
        lines.append("Suspected substances: " + ", ".join(substances))
    if episodes:
        days = ", ".join(f"{when:%Y-%m-%d}" for when in episodes)
        count = len(episodes)
        lines.append(f"{count} overdose{'' if count == 1 else 's'} on record: {days}")
    return lines


def _typed_lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dt.date):
        return [value.isoformat()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    return [line.strip() for line in text.splitlines() if line.strip()]


def snapshot(
    *, allows, reason: str, client: Client | None = None, typed: dict | None = None
) -> dict[str, list[str]]:
    """The snapshot for the receiver: one key per allowed detail that has something to
    say, in ORDER. `allows` is empty for an anonymous referral (no consent), which
    shares the reason only. Details not allowed are never read."""
    allows = set(allows)
    if not allows:
        return {D.REASON.value: [reason]} if reason else {}
    typed = typed or {}
    shared: dict[str, list[str]] = {}
    for detail in ORDER:
        if detail not in allows:
            continue
        if detail == D.REASON:
            lines = [reason] if reason else []
        elif client is not None:
            lines = client_lines(client, detail)
        elif detail == D.GROUP:
            group = typed.get(detail) or ""
            lines = (
                [CareGroup(group).label]
                if group in CareGroup.values and group != "not_assessed"
                else []
            )
        else:
            lines = _typed_lines(typed.get(detail))
        if lines:
            shared[detail.value] = lines
    return shared


def shown(shared: dict) -> list[tuple[str, list[str]]]:
    """(label, lines) for display, in ORDER."""
    return [(D(key).label, shared[key]) for key in [d.value for d in ORDER] if key in shared]
