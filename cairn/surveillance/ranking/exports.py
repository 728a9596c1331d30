"""The ranking as people read it: formatted cells shared by the page, the CSV and the PDF.

One formatting of every figure (`table_rows`), so the page and the exports show the
same numbers; the CSV opens with the plain-language method as `#` comment lines, and
the PDF prints the same sections before its table.
"""

import csv
import io
import math
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
    TableStyle,
)

from cairn import pdf
from cairn.surveillance.ranking.method import TITLE
from cairn.surveillance.ranking.queries import Ranking, RankingRow

HIDDEN = "hidden"
# (key, CSV header) in CSV order; the page and the PDF use subsets of the same cells.
COLUMNS = [
    ("rank", "rank"),
    ("median_rank", "median_rank"),
    ("rank_low", "rank_interval_low"),
    ("rank_high", "rank_interval_high"),
    ("probability_top", "probability_in_top_{top}"),
    ("name", "community"),
    ("code", "code"),
    ("region", "smoothed_toward"),
    ("events", "events"),
    ("population", "population"),
    ("crude_rate", "crude_rate_per_100k"),
    ("crude_low", "crude_rate_low"),
    ("crude_high", "crude_rate_high"),
    ("smoothed_rate", "smoothed_rate_per_100k"),
    ("smoothed_low", "smoothed_rate_low"),
    ("smoothed_high", "smoothed_rate_high"),
    ("previous_events", "previous_period_events"),
    ("trend_ratio", "trend_rate_ratio"),
    ("trend_low", "trend_ratio_low"),
    ("trend_high", "trend_ratio_high"),
    ("trend", "trend"),
]


def format_rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def format_ratio(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return "inf"
    return f"{value:.2f}"


def format_count(value: int | None) -> str:
    return "" if value is None else str(value)


def format_share(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def row_cells(row: RankingRow) -> dict[str, str]:
    """Every figure of a row as text, the same everywhere it is shown."""
    return {
        "rank": format_count(row.rank),
        "median_rank": format_count(row.median_rank),
        "rank_low": format_count(row.rank_low),
        "rank_high": format_count(row.rank_high),
        "probability_top": format_share(row.probability_top),
        "name": row.name,
        "code": row.code,
        "region": row.region,
        "events": HIDDEN if row.hidden else format_count(row.events),
        "population": str(row.population),
        "crude_rate": format_rate(row.crude_rate),
        "crude_low": format_rate(row.crude_low),
        "crude_high": format_rate(row.crude_high),
        "smoothed_rate": format_rate(row.smoothed_rate),
        "smoothed_low": format_rate(row.smoothed_low),
        "smoothed_high": format_rate(row.smoothed_high),
        "previous_events": format_count(row.previous_events),
        "trend_ratio": format_ratio(row.trend_ratio),
        "trend_low": format_ratio(row.trend_low),
        "trend_high": format_ratio(row.trend_high),
        "trend": HIDDEN if row.hidden else (row.trend or ""),
    }


def table_rows(ranking: Ranking) -> list[dict[str, str]]:
    """Ranked rows, then (aggregate view) the rows listed apart, as formatted cells."""
    return [row_cells(row) for row in [*ranking.rows, *ranking.hidden_rows]]


def describe(ranking: Ranking) -> list[str]:
    """What was ranked, in one line each: the header of both exports."""
    params = ranking.params
    return [
        f"Case definition: {ranking.definition_name} ({params.definition})",
        f"Period: {ranking.period_label}",
        f"Compared with: {ranking.previous_period_label}",
        f"Sources: {ranking.sources_label}",
        f"Communities: {ranking.level_label}; rates smoothed toward {ranking.region_label}",
        f"Populations: {params.population_year}; rates per 100,000 people per year",
        f"Rank intervals: {ranking.draws:,} simulated draws, seed {ranking.seed}",
    ]


def ranking_csv(ranking: Ranking) -> str:
    """One row per community; the method and parameters first, as `#` comment lines."""
    out = io.StringIO()
    for line in [TITLE, *describe(ranking)]:
        out.write(f"# {line}\n")
    for section in ranking.sections:
        out.write("#\n")
        out.write(f"# {section.heading}\n")
        for paragraph in section.paragraphs:
            out.write(f"# {paragraph}\n")
    if ranking.unranked:
        out.write("#\n# Not ranked (no population figure): ")
        out.write(", ".join(row.name for row in ranking.unranked) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header.format(top=ranking.params.top) for _, header in COLUMNS])
    for cells in table_rows(ranking):
        writer.writerow([cells[key] for key, _ in COLUMNS])
    return out.getvalue()


# PDF -----------------------------------------------------------------------------------

PDF_COLUMNS = [
    ("rank", "Rank"),
    ("name", "Community"),
    ("events", "Events"),
    ("population", "Population"),
    ("crude", "Crude rate (95% CI)"),
    ("smoothed", "Smoothed rate (95% interval)"),
    ("rank_interval", "Median rank (95% rank interval)"),
    ("trend", "Trend (rate ratio, 95% CI)"),
]


def _interval(value: str, low: str, high: str) -> str:
    return f"{value} ({low}\u2013{high})" if value else ""


def pdf_cells(cells: dict[str, str]) -> dict[str, str]:
    trend = cells["trend"]
    if cells["trend_ratio"]:
        trend = (
            f"{trend}: {_interval(cells['trend_ratio'], cells['trend_low'], cells['trend_high'])}"
        )
    return {
        "rank": cells["rank"] or "\u2013",
        "name": cells["name"],
        "events": cells["events"],
        "population": f"{int(cells['population']):,}",
        "crude": _interval(cells["crude_rate"], cells["crude_low"], cells["crude_high"]),
        "smoothed": _interval(
            cells["smoothed_rate"], cells["smoothed_low"], cells["smoothed_high"]
        ),
        "rank_interval": _interval(cells["median_rank"], cells["rank_low"], cells["rank_high"]),
        "trend": trend,
    }


def _styles():
    styles = pdf.styles()
    sheet = getSampleStyleSheet()
    styles["heading"] = ParagraphStyle("heading", parent=sheet["Heading3"], spaceBefore=6)
    return styles


def pdf_story(ranking: Ranking) -> list:
    """The PDF's flowables: title, what was ranked, the method, then the table."""
    styles = _styles()
    story: list = [Paragraph(escape(TITLE), styles["title"])]
    for line in describe(ranking):
        story.append(Paragraph(escape(line), styles["body"]))
    for section in ranking.sections:
        story.append(Paragraph(escape(section.heading), styles["heading"]))
        for paragraph in section.paragraphs:
            story.append(Paragraph(escape(paragraph), styles["body"]))
    story.append(Spacer(1, 4 * mm))
    if ranking.no_events:
        story.append(
            Paragraph("There were no events in this period: nothing to rank.", styles["body"])
        )
        return story
    header = [Paragraph(escape(label), styles["cell"]) for _, label in PDF_COLUMNS]
    data = [header]
    for cells in table_rows(ranking):
        shown = pdf_cells(cells)
        data.append([Paragraph(escape(shown[key]), styles["cell"]) for key, _ in PDF_COLUMNS])
    widths = [12 * mm, 52 * mm, 22 * mm, 22 * mm, 36 * mm, 40 * mm, 38 * mm, 45 * mm]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    if ranking.unranked:
        names = ", ".join(row.name for row in ranking.unranked)
        story.append(
            KeepTogether(
                [
                    Spacer(1, 3 * mm),
                    Paragraph(
                        escape(f"Not ranked (no population figure): {names}."), styles["small"]
                    ),
                ]
            )
        )
    return story


def ranking_pdf(ranking: Ranking, *, compress: bool = True) -> bytes:
    """The PDF export. `compress=False` leaves the page streams readable (for tests)."""
    return pdf.build_pdf(
        pdf_story(ranking),
        title=TITLE,
        subject=f"{ranking.definition_name}, {ranking.period_label}",
        footer=lambda page: (
            f"Cairn - {ranking.definition_name}, {ranking.period_label} - page {page}"
        ),
        pagesize=landscape(A4),
        bottom_margin=12 * mm,
        compress=compress,
    )
