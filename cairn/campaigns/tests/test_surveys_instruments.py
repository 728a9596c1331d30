"""Instruments entered on the page: problems named by line, the catalogue's structures
without copyrighted wording, and scoring locked once responses exist."""

from cairn.campaigns.models.surveys import Instrument
from cairn.campaigns.surveys import catalogue
from cairn.campaigns.surveys.instruments import readiness_problems
from cairn.campaigns.tests import surveys_fixtures
from cairn.campaigns.tests.surveys_fixtures import make_tokens

pre_post_survey = surveys_fixtures.pre_post_survey
sample_instrument = surveys_fixtures.sample_instrument

FORM = {
    "name": "Two questions",
    "options": "1 | No\n2 | Somewhat\n3 | Yes",
    "items": "a1 | I would sit next to a person who uses drugs on the bus. | R\n"
    "a2 | People who use drugs are to blame for their situation.",
    "subscales": "",
    "total_scoring": "sum",
    "total_min_answered": "",
}


def test_a_planner_enters_an_instrument_with_reverse_scoring(client, communications_officer):
    client.force_login(communications_officer)
    saved = client.post("/campaigns/instruments/new/", FORM)
    assert saved.status_code == 302
    instrument = Instrument.objects.get(name="Two questions")
    assert list(instrument.items.values_list("code", "reverse_scored")) == [
        ("a1", True),
        ("a2", False),
    ]
    assert instrument.organization.name == "Ministry of Mental Health and Addictions"
    page = client.get(saved.url)
    assert "I would sit next to a person who uses drugs on the bus." in page.content.decode()
    assert not readiness_problems(instrument)


def test_problems_name_the_box_and_the_line(client, communications_officer):
    client.force_login(communications_officer)
    page = client.post(
        "/campaigns/instruments/new/",
        {
            **FORM,
            "options": "1 | No\nyes | Yes",
            "items": "a1 | First\na1 | Again\nWave | Bad code",
            "subscales": "s | Part | median | | a1, zz",
        },
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "Options, line 2: the value “yes” is not a whole number." in text
    assert not Instrument.objects.filter(name="Two questions").exists()
    page = client.post(
        "/campaigns/instruments/new/",
        {
            **FORM,
            "items": "a1 | First\na1 | Again\nwave | Bad code",
            "subscales": "s | Part | median | | a1, zz",
        },
    )
    text = page.content.decode()
    assert "Items, line 2: the code “a1” is used twice." in text
    assert "Items, line 3: “wave” is a column of the CSV import; choose another code." in text
    assert "Subscales, line 1: scoring is “mean” or “sum”." in text
    assert "Subscales, line 1: no item has the code zz." in text


def test_a_catalogue_scale_starts_with_its_structure_and_no_wording(client, communications_officer):
    client.force_login(communications_officer)
    listing = client.get("/campaigns/instruments/")
    assert "Perceived Stigma of Addiction Scale" in listing.content.decode()
    started = client.post("/campaigns/instruments/from-catalogue/", {"scale": "PSAS"})
    assert started.status_code == 302
    psas = Instrument.objects.get(abbreviation="PSAS")
    items = list(psas.items.values_list("code", "wording", "reverse_scored"))
    assert [code for code, _, _ in items] == [f"psas_{n}" for n in range(1, 9)]
    assert {code for code, _, reverse in items if reverse} == {
        f"psas_{n}" for n in (1, 2, 3, 4, 6, 8)
    }
    assert all(wording == "" for _, wording, _ in items)  # copyrighted: the user enters it
    assert psas.total_scoring == "sum"
    assert readiness_problems(psas) == [
        "Enter the (licensed) wording of items " + ", ".join(c for c, _, _ in items) + "."
    ]
    assert "Luoma" in psas.source_note


def test_every_catalogue_entry_is_listed_but_only_confirmed_structures_can_start(db):
    entries = catalogue.catalogue()
    assert len(entries) == 8
    startable = {e.key for e in entries if e.skeleton}
    assert startable == {"PSAS", "SU-SMS", "OMS-HC", "AQ-27 / AQ-9", "OOAS"}


def test_the_sample_instrument_is_shipped_once_and_read_only(
    client, communications_officer, sample_instrument
):
    assert catalogue.install_sample_instrument() == sample_instrument
    assert sample_instrument.items.count() == 8
    client.force_login(communications_officer)
    assert client.get(f"/campaigns/instruments/{sample_instrument.pk}/edit/").status_code == 403
    copied = client.post(f"/campaigns/instruments/{sample_instrument.pk}/copy/")
    copy = Instrument.objects.exclude(pk=sample_instrument.pk).get()
    assert copied.url == f"/campaigns/instruments/{copy.pk}/edit/"
    assert copy.items.count() == 8 and copy.subscales.count() == 2


def test_once_answered_the_scoring_is_locked_but_the_wording_can_be_corrected(
    client, communications_officer, campaign
):
    client.force_login(communications_officer)
    client.post("/campaigns/instruments/new/", FORM)
    instrument = Instrument.objects.get(name="Two questions")
    survey = surveys_fixtures.make_survey(communications_officer, campaign, instrument)
    token = make_tokens(communications_officer, survey)[0]
    client.post(f"/survey/{token}/", {"consent": "yes", "a1": "3", "a2": "1"})
    edit = f"/campaigns/instruments/{instrument.pk}/edit/"
    refused = client.post(edit, {**FORM, "items": FORM["items"].replace(" | R", "")})
    assert refused.status_code == 400
    assert "cannot change" in refused.content.decode()
    fixed = client.post(edit, {**FORM, "items": FORM["items"].replace("on the bus", "on a bus")})
    assert fixed.status_code == 302
    assert instrument.items.get(code="a1").wording.endswith("on a bus.")


def test_other_people_cannot_open_instruments(client, personas, sample_instrument):
    for key in ("er_nurse", "first_nations_partner", "administrator"):
        client.force_login(personas[key])
        assert client.get("/campaigns/instruments/").status_code == 403
