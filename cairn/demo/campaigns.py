"""The demo's public campaigns: planned, reviewed for language, surveyed and reached.

`load_demo_campaigns()` plans four campaigns through the same functions the pages use:

- the ministry's province-wide humanizing campaign (comms.officer), which ran from half a
  year ago for twelve weeks: its materials went through the language review (one had
  "addicts" in it, fixed with the suggestion; one quotes a person with lived experience
  and keeps its words, overridden with a reason), approved and published; a pre/post
  survey on Cairn's sample instrument answered by a survey panel (imported from CSV) and a
  few people on the public page; reach per channel and month;
- the Prince George action team's campaign (municipal.coordinator) with an exposed vs
  not-exposed survey;
- a campaign addressed to First Nations communities in the North, approved by the First
  Nations partner (fn.partner) before its material was published;
- a treatment-access campaign still being planned, with a draft material.

Once: each step carries an idempotency key or is looked up first, so a second call
changes nothing. Invented data only; the survey answers come from a seeded generator.
"""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cairn.access.personas import PERSONAS
from cairn.campaigns import materials, planning
from cairn.campaigns.evaluation.reach import import_reach_csv
from cairn.campaigns.language.review import decide, open_findings
from cairn.campaigns.models import (
    Audience,
    Campaign,
    Channel,
    Frame,
    Material,
    MaterialKind,
    MaterialStatus,
    Survey,
)
from cairn.campaigns.surveys.catalogue import install_sample_instrument
from cairn.campaigns.surveys.designs import create_survey
from cairn.campaigns.surveys.importing import import_panel_csv
from cairn.campaigns.surveys.invitations import generate_invitations
from cairn.campaigns.surveys.responses import load_invitation, submit_response

KEY = "demo-campaign-"
# Drafts as staff typed them, stigmatizing words included on purpose (user input, kept
# out of Cairn's own text).
DRAFTS = json.loads((Path(__file__).parent / "data" / "campaign_drafts.json").read_text())
SEGMENTS = [["age_18_34", "18 to 34"], ["age_35_54", "35 to 54"], ["age_55_plus", "55 and over"]]


def _user(persona_key: str):
    return get_user_model().objects.get(username=PERSONAS[persona_key].username)


def _weeks_ago(weeks: int, today: dt.date) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=weeks)


def _campaign(actor, key: str, **fields) -> Campaign:
    return planning.create_campaign(actor=actor, idempotency_key=KEY + key, **fields)


def _material(campaign, actor, key: str, **fields) -> Material:
    return materials.create_material(campaign, actor, idempotency_key=KEY + key, **fields)


def _review_and_settle(material: Material, actor, overrides: dict[str, str]) -> None:
    """Submit for review; take every suggestion except the terms in `overrides`
    (matched text → reason), which keep their words."""
    if material.status != MaterialStatus.DRAFT:
        return
    materials.submit_for_review(material, actor)
    for finding in list(open_findings(material)):
        reason = overrides.get(finding.matched.lower())
        if reason:
            decide(finding, actor, "overridden", reason)
        else:
            decide(finding, actor, "accepted")
            material.refresh_from_db()
    material.refresh_from_db()
    if material.status == MaterialStatus.DRAFT:  # a text change sends it back for review
        materials.submit_for_review(material, actor)
        for finding in list(open_findings(material)):
            decide(finding, actor, "overridden", "Checked by the communications team.")
        material.refresh_from_db()


def _publish(material: Material, actor, overrides=None) -> None:
    _review_and_settle(material, actor, overrides or {})
    material.refresh_from_db()
    if material.status == MaterialStatus.IN_REVIEW:
        materials.approve(
            material, actor, note="Reviewed with the lived-experience advisory group."
        )
    material.refresh_from_db()
    if material.status == MaterialStatus.APPROVED:
        materials.publish(material, actor)


def _likert(rng, mean: float, n: int, items: list[tuple[str, bool]]) -> np.ndarray:
    """n respondents × items answers 1–5 around a stigma level `mean` (1–5, higher =
    more stigmatizing); reverse-scored items are answered the other way round."""
    level = rng.normal(mean, 0.6, size=(n, 1))
    raw = np.clip(np.rint(level + rng.normal(0, 0.75, size=(n, len(items)))), 1, 5)
    reverse = np.array([r for _, r in items])
    return np.where(reverse, 6 - raw, raw).astype(int)


def _panel_csv(survey: Survey, rng, waves: list[tuple[str, str, float, int, dt.date]]) -> bytes:
    """A survey panel's export: (wave, group, mean, n, submitted_on) blocks."""
    items = [
        (item.code, item.reverse_scored) for item in survey.instrument.items.order_by("position")
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["wave", "group", "segment", "panel_id", "submitted_on", *[c for c, _ in items]]
    )
    number = 0
    for wave, group, mean, n, day in waves:
        answers = _likert(rng, mean, n, items)
        segments = rng.choice([s[0] for s in SEGMENTS], size=n, p=[0.3, 0.4, 0.3])
        for row, segment in zip(answers, segments, strict=True):
            number += 1
            skipped = rng.random() < 0.03  # a few leave one question blank
            cells = [str(v) for v in row]
            if skipped:
                cells[int(rng.integers(len(cells)))] = ""
            writer.writerow([wave, group, segment, f"P{number:05d}", day.isoformat(), *cells])
    return out.getvalue().encode()


def _survey(campaign, actor, title: str, design: str, **extra) -> Survey:
    existing = campaign.surveys.filter(title=title).first()
    if existing:
        return existing
    data = {
        "title": title,
        "design": design,
        "consent_text": (
            "This short survey asks what you think about drug use and the people who use "
            "drugs. It is anonymous and voluntary; you may stop at any time."
        ),
        "segment_question": "How old are you?",
        "segment_choices": SEGMENTS,
        **extra,
    }
    return create_survey(
        user=actor, campaign=campaign, data=data, instrument=install_sample_instrument()
    )


def _reach_csv(campaign: Campaign, rng) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["channel", "period_start", "period_end", "metric", "value"])
    start = campaign.starts_on.replace(day=1)
    months = []
    while start <= campaign.ends_on:
        following = (start + dt.timedelta(days=32)).replace(day=1)
        months.append((start, following - dt.timedelta(days=1)))
        start = following
    scale = {
        Channel.TV: 900_000,
        Channel.SOCIAL_MEDIA: 650_000,
        Channel.BILLBOARDS: 300_000,
        Channel.POSTERS: 40_000,
        Channel.PARTNERS: 120_000,
        Channel.NEWSLETTERS: 25_000,
        Channel.COMMUNITY_EVENTS: 3_000,
    }
    for channel in campaign.channel_keys:
        for first, last in months:
            impressions = int(scale.get(channel, 10_000) * rng.uniform(0.7, 1.3))
            writer.writerow([channel, first, last, "impressions", impressions])
            if channel in (Channel.SOCIAL_MEDIA, Channel.NEWSLETTERS):
                writer.writerow([channel, first, last, "clicks", int(impressions * 0.012)])
        if channel == Channel.SOCIAL_MEDIA:
            for first, last in months:
                writer.writerow(
                    [channel, first, last, "helpline_calls", int(rng.integers(80, 160))]
                )
                writer.writerow(
                    [channel, first, last, "naloxone_kit_requests", int(rng.integers(40, 90))]
                )
    return out.getvalue().encode()


def _public_answers(survey: Survey, wave_key: str, rng, count: int) -> None:
    """A few people answer on the public page with their invitation link."""
    wave = survey.waves.get(key=wave_key)
    actor = survey.created_by
    if wave.invitations.exists():
        return
    generate_invitations(user=actor, survey=survey, wave=wave, count=count + 5)
    items = [
        (item.code, item.reverse_scored) for item in survey.instrument.items.order_by("position")
    ]
    answers = _likert(rng, 2.6, count, items)
    for invitation, row in zip(wave.invitations.order_by("pk")[:count], answers, strict=False):
        sheet = load_invitation(invitation.token)
        data = {code: str(v) for (code, _), v in zip(items, row, strict=True)}
        data["segment"] = SEGMENTS[int(rng.integers(3))][0]
        data["consent"] = "yes"
        submit_response(sheet, data)


@transaction.atomic
def load_demo_campaigns(today: dt.date | None = None) -> int:
    """Plan the demo campaigns once; returns how many were new."""
    today = today or timezone.localdate()
    before = Campaign.objects.count()
    rng = np.random.default_rng(2018)
    ministry = _user("communications_officer")
    city = _user("municipal_coordinator")
    first_nations = _user("first_nations_partner")

    # 1. The province-wide humanizing campaign, already over: the full cycle.
    stop = _campaign(
        ministry,
        "stop-overdose",
        name="Stop overdose: people from all walks of life",
        objective=(
            "Fewer people in British Columbia see drug use as a moral failing, and more see "
            "it as a health issue; more people talk about it, carry naloxone and ask for help."
        ),
        frame=Frame.HUMANIZING,
        audiences=[Audience.GENERAL_PUBLIC, Audience.FAMILIES, Audience.EMPLOYERS_TRADES],
        channels=[
            Channel.TV,
            Channel.SOCIAL_MEDIA,
            Channel.BILLBOARDS,
            Channel.PARTNERS,
            Channel.NEWSLETTERS,
        ],
        communities=["bc"],
        starts_on=_weeks_ago(26, today),
        ends_on=_weeks_ago(14, today) + dt.timedelta(days=6),
        budget="1200000.00",
        partners="Vancouver Canucks\nBC Lions\nProvincial newsletter",
    )
    story = _material(
        stop,
        ministry,
        "stop-story",
        kind=MaterialKind.TEXT,
        **DRAFTS["stop-story"],
        channel=Channel.SOCIAL_MEDIA,
    )
    _publish(story, ministry, {"junkie": "Shane's own words, quoted with his consent."})
    poster = _material(
        stop,
        ministry,
        "stop-poster",
        kind=MaterialKind.TEXT,
        **DRAFTS["stop-poster"],
        channel=Channel.BILLBOARDS,
    )
    _publish(poster, ministry)
    _material(
        stop,
        ministry,
        "stop-video",
        kind=MaterialKind.VIDEO,
        title="Courageous conversations (30-second spot)",
        video_url="https://example.org/stop-overdose/courageous-conversations",
        caption="A father and his son talk about drug use at the kitchen table.",
        channel=Channel.TV,
    )
    survey = _survey(stop, ministry, "What British Columbians think about drug use", "pre_post")
    if not survey.responses.exists():
        content = _panel_csv(
            survey,
            rng,
            [
                ("pre", "", 3.05, 420, stop.starts_on - dt.timedelta(days=10)),
                ("post", "", 2.82, 410, stop.ends_on + dt.timedelta(days=10)),
            ],
        )
        import_panel_csv(user=ministry, survey=survey, content=content, file_name="panel.csv")
        _public_answers(survey, "post", rng, 12)
    if not stop.reach_metrics.exists():
        import_reach_csv(
            campaign=stop, user=ministry, content=_reach_csv(stop, rng), file_name="reach.csv"
        )

    # 2. The Prince George action team's campaign, exposed vs not exposed.
    local = _campaign(
        city,
        "prince-george",
        name="Prince George: compassion matters",
        objective="More people in Prince George know where to get naloxone and treatment.",
        frame=Frame.HARM_REDUCTION,
        audiences=[Audience.GENERAL_PUBLIC, Audience.EMPLOYERS_TRADES],
        channels=[Channel.POSTERS, Channel.COMMUNITY_EVENTS],
        communities=["bc-lha-prince-george"],
        starts_on=_weeks_ago(10, today),
        ends_on=_weeks_ago(2, today) + dt.timedelta(days=6),
        budget="18000.00",
        partners="Prince George Cougars\nDowntown business association",
    )
    flyer = _material(
        local,
        city,
        "pg-flyer",
        kind=MaterialKind.TEXT,
        title="Naloxone saves lives",
        body=(
            "Free naloxone kits are at every Prince George pharmacy. Never use alone; if you "
            "see an overdose, call 911 and give naloxone. Drug use is a health issue."
        ),
        channel=Channel.POSTERS,
    )
    _publish(flyer, city)
    local_survey = _survey(
        local,
        city,
        "Prince George street survey",
        "exposed_unexposed",
        exposure_question="In the last month, did you see the “Naloxone saves lives” posters?",
    )
    if not local_survey.responses.exists():
        content = _panel_csv(
            local_survey,
            rng,
            [
                ("post", "exposed", 2.7, 160, today - dt.timedelta(days=9)),
                ("post", "unexposed", 2.9, 140, today - dt.timedelta(days=9)),
            ],
        )
        import_panel_csv(user=city, survey=local_survey, content=content, file_name="street.csv")
    if not local.reach_metrics.exists():
        import_reach_csv(
            campaign=local, user=city, content=_reach_csv(local, rng), file_name="reach.csv"
        )

    # 3. Addressed to First Nations communities: published only after their approval.
    northern = _campaign(
        ministry,
        "northern-first-nations",
        name="Drug use is a health issue, not a moral issue",
        objective=(
            "Families in First Nations communities in the North talk about drug use and know "
            "where to find support."
        ),
        frame=Frame.HUMANIZING,
        audiences=[Audience.FIRST_NATIONS_COMMUNITIES, Audience.FAMILIES],
        channels=[Channel.COMMUNITY_EVENTS, Channel.RADIO],
        communities=["bc-ha-northern"],
        starts_on=_weeks_ago(4, today),
        ends_on=_weeks_ago(-8, today),
        budget="60000.00",
        partners="Northern First Nations Health Partnership",
    )
    if not northern.first_nations_approvals.exists():
        materials.record_first_nations_decision(
            northern,
            first_nations,
            decision="approved",
            note="Approved with the community health directors; stories told by community members.",
            idempotency_key=KEY + "northern-approval",
        )
    gathering = _material(
        northern,
        ministry,
        "northern-gathering",
        kind=MaterialKind.TEXT,
        title="Gathering: families talk about drug use",
        body=(
            "Join us for a meal and a talk with Elders and families about drug use, grief and "
            "healing. Everyone is welcome; naloxone training is offered."
        ),
        channel=Channel.COMMUNITY_EVENTS,
    )
    _publish(gathering, ministry)

    # 4. Still being planned.
    access = _campaign(
        ministry,
        "treatment-access",
        name="Treatment works: same-day opioid agonist treatment",
        objective="People who use opioids know they can start treatment the same day.",
        frame=Frame.TREATMENT_ACCESS,
        audiences=[Audience.HIDDEN_REGULAR, Audience.EMPLOYERS_TRADES],
        channels=[Channel.SOCIAL_MEDIA, Channel.PARTNERS],
        communities=["bc"],
        starts_on=_weeks_ago(-6, today),
        ends_on=_weeks_ago(-18, today),
        budget="400000.00",
    )
    _material(
        access,
        ministry,
        "access-draft",
        kind=MaterialKind.TEXT,
        title="Start treatment today",
        body="Opioid agonist treatment can start the same day at a rapid access clinic.",
        channel=Channel.SOCIAL_MEDIA,
    )
    return Campaign.objects.count() - before
