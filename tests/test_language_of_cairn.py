"""Cairn itself never uses stigmatizing language: the campaigns' checker, over Cairn's own
user-facing text (templates, messages, labels, choices, exports, shipped JavaScript, and
the README and docs/).

A failure names file:line, the words, the person-first suggestion and the reason. Fix
the wording (quoting a term is how a text mentions it without using it: 'Withdrawal
management (sometimes called "detox")'); when the checker is wrong, fix its context
rules in cairn/campaigns/language/, never by skipping a file.

Findings of severity "consider" (e.g. "overdose", Cairn's own domain word, where BC
public communications now also say "toxic drug poisoning") are not failures.
"""

from pathlib import Path

from cairn.campaigns.language.own_text import scan, scan_shipped_data, template_text

ROOT = Path(__file__).resolve().parent.parent


def test_cairn_own_text_uses_person_first_language():
    hits = [hit for hit in scan(ROOT) if hit.finding.severity == "avoid"]
    assert not hits, "Stigmatizing language in Cairn's own text:\n" + "\n".join(
        hit.describe() for hit in hits
    )


def test_the_data_cairn_ships_uses_person_first_language():
    """Survey instruments and their catalogue are shown on pages (public ones included)."""
    hits = [hit for hit in scan_shipped_data(ROOT) if hit.finding.severity == "avoid"]
    assert not hits, "Stigmatizing language in Cairn's shipped data:\n" + "\n".join(
        hit.describe() for hit in hits
    )


def test_overdose_is_found_but_only_as_a_consideration():
    hits = scan(ROOT)
    assert hits, "the scan found nothing at all: is it reading Cairn's files?"
    assert {hit.finding.severity for hit in hits} == {"consider"}


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_scan_reads_what_people_read_and_nothing_else(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cairn/area/templates/area/page.html": (
                "{% extends 'base.html' %}\n"
                "{# an addict in a comment is not shown #}\n"
                "<p class='addict'>Support for people who use drugs</p>\n"
                '<img src="x.png" alt="An addict on a bench">\n'
                "<p>{{ addict.name }} relapsed.</p>\n"
                "<!-- junkie -->\n"
            ),
            "cairn/area/views.py": (
                '"""A docstring may discuss the word addict."""\n'
                "from django.contrib import messages\n"
                "\n"
                "def view(request):\n"
                '    user_id = request.GET.get("addict")\n'
                '    messages.error(request, "Addicts cannot use this page.")\n'
                "\n"
                "class Status:\n"
                '    DETOX = "detox", "Detox"\n'
            ),
            "cairn/area/static/area/page.js": 'show("Ask the junkie to wait");\n',
            "cairn/area/tests/test_views.py": 'TEXT = "an addict in a test"\n',
            "cairn/area/migrations/0001_initial.py": 'HELP = "an addict in a migration"\n',
            "docs/area.md": "# Area\n\nKey `addict`.\n\n```\naddict\n```\nNo junkies.\n",
        },
    )
    found = sorted((h.path, h.line, h.finding.matched) for h in scan(root))
    assert found == [
        ("cairn/area/static/area/page.js", 1, "junkie"),
        ("cairn/area/templates/area/page.html", 4, "addict"),
        ("cairn/area/templates/area/page.html", 5, "relapsed"),
        ("cairn/area/views.py", 6, "Addicts"),
        ("cairn/area/views.py", 9, "Detox"),
        ("docs/area.md", 8, "junkies"),
    ]


def test_template_text_keeps_lines_and_decodes_entities():
    text = template_text("<p>one</p>\n<p>{% if x %}I&rsquo;m clean{% endif %}</p>")
    assert text.split("\n")[1].split() == ["I\u2019m", "clean"]


def test_shipped_data_is_read_cell_by_cell_but_not_the_demos(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cairn/area/data/items.json": '{"items": [{"wording": "Junkies can recover."}]}',
            "cairn/area/data/catalogue.csv": "name,note\nScale,for 'addicts' (quoted)\nB,relapse\n",
            "cairn/demo/data/drafts.json": '{"body": "Addicts are our neighbours."}',
        },
    )
    found = sorted((h.path, h.line, h.finding.matched) for h in scan_shipped_data(root))
    assert found == [
        ("cairn/area/data/catalogue.csv", 3, "relapse"),
        ("cairn/area/data/items.json", 1, "Junkies"),
    ]
