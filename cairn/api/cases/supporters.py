"""API: supporters and their consent, and what a supporter sees."""

import datetime as dt

from ninja import Field, Schema

from cairn.api.cases.common import (
    audit_list,
    auth_requiring,
    care_client,
    idempotency_key,
    responses,
    router,
    write_responses,
    writing,
)
from cairn.cases import supporters
from cairn.cases.access import (
    Purpose,
    get_client_for_supporter,
    require_supporter_access,
    supporter_links_for,
)
from cairn.cases.models import (
    ConsentPurpose,
)

# Supporters and consent.


class SupporterIn(Schema):
    name: str
    relationship: str = Field(description="family, friend, peer or other")
    contact_method: str = Field("", description="phone, text, email, in_person, ...")
    contact_value: str = ""
    username: str = Field("", description="the supporter's own Cairn account, if any")
    note: str = ""
    idempotency_key: str = ""


class ConsentIn(Schema):
    purpose: str = Field(description=", ".join(ConsentPurpose.values))
    method: str = Field(description="verbal, written or electronic")
    note: str = Field("", description="the person's words, if any")


class RevokeIn(Schema):
    reason: str


class ConsentOut(Schema):
    id: int
    purpose: str
    method: str
    note: str
    recorded_at: dt.datetime
    recorded_by: str
    in_force: bool
    revoked_at: dt.datetime | None
    revoked_by: str
    revocation_reason: str


class SupporterOut(Schema):
    id: int
    client_id: int
    name: str
    relationship: str
    contact_method: str
    contact_value: str
    username: str | None
    note: str
    added_at: dt.datetime
    added_by: str
    ended_at: dt.datetime | None = Field(description="when the link was ended, if it was")
    ended_by: str
    end_reason: str
    purposes_in_force: list[str]
    consents: list[ConsentOut] = Field(description="the full history, oldest first")


def _consent_out(c) -> dict:
    return {
        "id": c.pk,
        "purpose": c.purpose,
        "method": c.method,
        "note": c.note,
        "recorded_at": c.recorded_at,
        "recorded_by": c.recorded_by,
        "in_force": c.revoked_at is None,
        "revoked_at": c.revoked_at,
        "revoked_by": c.revoked_by,
        "revocation_reason": c.revocation_reason,
    }


def _supporter_out(s) -> dict:
    consents = list(s.consents.all())
    return {
        "id": s.pk,
        "client_id": s.client_id,
        "name": s.name,
        "relationship": s.relationship,
        "contact_method": s.contact_method,
        "contact_value": s.contact_value,
        "username": s.user.get_username() if s.user_id else None,
        "note": s.note,
        "added_at": s.added_at,
        "added_by": s.added_by,
        "ended_at": s.ended_at,
        "ended_by": s.ended_by,
        "end_reason": s.end_reason,
        "purposes_in_force": [c.purpose for c in consents if c.revoked_at is None],
        "consents": [_consent_out(c) for c in consents],
    }


@router.get(
    "/cases/clients/{client_id}/supporters",
    response=responses(list[SupporterOut], 404),
    url_name="case_supporters",
    summary="A person's supporters, each with the full history of their consents",
)
def supporter_list(request, client_id: int):
    return [_supporter_out(s) for s in supporters.supporters_for(care_client(request, client_id))]


@router.post(
    "/cases/clients/{client_id}/supporters",
    response=write_responses(SupporterOut),
    url_name="case_supporter_create",
    summary="Link a supporter (no consent yet: they see nothing until the person consents)",
)
def supporter_create(request, client_id: int, body: SupporterIn):
    return writing(
        request,
        client_id,
        lambda client: supporters.add_supporter(
            actor=request.auth,
            client=client,
            name=body.name,
            relationship=body.relationship,
            contact_method=body.contact_method,
            contact_value=body.contact_value,
            username=body.username,
            note=body.note,
            idempotency_key=idempotency_key(request, body.idempotency_key),
        ),
        _supporter_out,
    )


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/consents",
    response=write_responses(ConsentOut),
    url_name="case_supporter_consents",
    summary="Record the person's consent for one supporter and purpose (once while in force)",
)
def supporter_consent_add(request, client_id: int, supporter_id: int, body: ConsentIn):
    return writing(
        request,
        client_id,
        lambda client: supporters.record_consent(
            actor=request.auth,
            client=client,
            supporter_id=supporter_id,
            purpose=body.purpose,
            method=body.method,
            note=body.note,
        ),
        _consent_out,
    )


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/consents/{consent_id}/revoke",
    response=write_responses(ConsentOut),
    url_name="case_supporter_consent_revoke",
    summary="Revoke a consent now, with the reason; the supporter's access ends at once",
)
def supporter_consent_revoke(
    request, client_id: int, supporter_id: int, consent_id: int, body: RevokeIn
):
    return writing(
        request,
        client_id,
        lambda client: supporters.revoke_consent(
            actor=request.auth,
            client=client,
            supporter_id=supporter_id,
            consent_id=consent_id,
            reason=body.reason,
        ),
        _consent_out,
    )


class EndLinkIn(Schema):
    reason: str


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/end",
    response=write_responses(SupporterOut),
    url_name="case_supporter_end",
    summary="End a supporter's link: every consent in force is revoked with the reason",
)
def supporter_end(request, client_id: int, supporter_id: int, body: EndLinkIn):
    return writing(
        request,
        client_id,
        lambda client: supporters.end_link(
            actor=request.auth, client=client, supporter_id=supporter_id, reason=body.reason
        ),
        _supporter_out,
    )


# The supporter's own view: any account that may hold a supporter link (never police or
# municipal members), through get_client_for_supporter, which audits each read.

_SUPPORTER_AUTH = auth_requiring(require_supporter_access)


class SupportingOut(Schema):
    client_id: int
    display_name: str
    relationship: str
    purposes: list[str]


class SupporterViewOut(Schema):
    client_id: int
    display_name: str
    relationship: str
    purposes: list[str] = Field(description="what the person consented to; nothing else shows")
    may_contact_about_follow_up: bool
    goals: list[dict] | None = Field(description="with see_care_plan; else null")
    actions: list[dict] | None = Field(description="with see_care_plan; else null")
    referrals: list[dict] | None = Field(description="with see_appointments; else null")
    follow_ups: list[dict] | None = Field(description="with see_appointments; else null")
    treatment: str | None = Field(description="with see_appointments: OAT status; else null")
    overdoses: list[dict] | None = Field(
        description="with receive_overdose_alerts: overdoses since that consent; else null"
    )


@router.get(
    "/cases/supporting",
    auth=_SUPPORTER_AUTH,
    response=responses(list[SupportingOut]),
    url_name="case_supporting",
    summary="The people you support, with what each agreed to share with you",
)
def supporting_list(request):
    links = list(supporter_links_for(request.auth).prefetch_related("consents"))
    audit_list(request, [s.client_id for s in links], purpose=Purpose.SUPPORTING, what="supporting")
    return [
        {
            "client_id": s.client_id,
            "display_name": s.client.display_name,
            "relationship": s.relationship,
            "purposes": sorted(c.purpose for c in s.consents.all() if c.revoked_at is None),
        }
        for s in links
    ]


@router.get(
    "/cases/supporting/{client_id}",
    auth=_SUPPORTER_AUTH,
    response=responses(SupporterViewOut, 404),
    url_name="case_supporting_detail",
    summary="What a person agreed to share with you as their supporter (the read is audited)",
)
def supporting_detail(request, client_id: int):
    view = get_client_for_supporter(request.auth, client_id, purpose=Purpose.SUPPORTING)
    content = supporters.supporter_view_content(view)
    return {**content, "purposes": [key for key, _ in content["purposes"]]}
