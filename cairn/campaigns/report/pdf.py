"""The campaign report as PDF (reportlab), from the same `CampaignReport` as the page.

Charts are drawn with reportlab's vector graphics (no images): each outcome series with
the campaign shaded, the fitted trend and the trend before the start carried on, and each
survey's differences with their 95% intervals.
"""

from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
)

from cairn import pdf
from cairn.campaigns.report.build import CampaignReport, OutcomePanel, SurveySection
from cairn.surveillance.dashboards.charts import nice_ceiling

OBSERVED = colors.HexColor("#0b6a6d")
FITTED = colors.HexColor("#4a5857")
BAND = colors.HexColor("#f3e3b5")
GRID = colors.HexColor("#d5dbd6")
CHART_W, CHART_H = 180 * mm, 62 * mm


def _table(rows, widths, s) -> LongTable:
    return pdf.table([[Paragraph(escape(str(c)), s["cell"]) for c in row] for row in rows], widths)


def outcome_drawing(panel: OutcomePanel, band: tuple[int, int] | None, freq: str) -> Drawing:
    series = panel.series
    n = len(series.periods)
    drawing = Drawing(CHART_W, CHART_H)
    left, right, bottom, top_pad = 34.0, CHART_W - 6, 22.0, 14.0
    height = CHART_H - bottom - top_pad
    fit = series.fit
    values = [v for v in series.counts if v is not None]
    if fit is not None:
        values += [float(v) for v in fit.fitted] + [float(v) for v in fit.counterfactual]
    top, step = nice_ceiling(max(values, default=0.0))
    spacing = (right - left) / max(n - 1, 1)

    def x(i):
        return left + spacing * i

    def y(v):
        return bottom + height * max(0.0, min(float(v), top)) / top

    if band is not None and n:
        x0 = max(left, x(band[0]) - spacing / 2)
        x1 = min(right, x(band[1]) + spacing / 2)
        drawing.add(Rect(x0, bottom, max(x1 - x0, 1), height, fillColor=BAND, strokeColor=None))
        if x0 + 2 + 34 > CHART_W - 2:  # near the right edge: end the label at the band's
            drawing.add(
                String(x1 - 2, bottom + height - 9, "Campaign", fontSize=7, textAnchor="end")
            )
        else:
            drawing.add(String(x0 + 2, bottom + height - 9, "Campaign", fontSize=7))
    tick = 0.0
    while tick <= top + 1e-9:
        drawing.add(Line(left, y(tick), right, y(tick), strokeColor=GRID, strokeWidth=0.4))
        drawing.add(
            String(left - 3, y(tick) - 2.5, f"{int(tick):,}", fontSize=6.5, textAnchor="end")
        )
        tick += step
    every = max(1, -(-n // 6))
    for i in range(0, n, every):
        first = series.periods[i]
        label = f"{first:%b %Y}" if freq == "month" else f"{first:%-d %b %Y}"
        at, anchor = x(i), "middle"
        if at + 1.8 * len(label) > CHART_W - 2:  # about 3.5 pt a character at 6.5 pt
            at, anchor = right, "end"
        drawing.add(String(at, bottom - 10, label, fontSize=6.5, textAnchor=anchor))
    if fit is not None:
        for values_, dash in ((fit.counterfactual, [3, 2]), (fit.fitted, None)):
            points = [c for i, v in enumerate(values_) for c in (x(i), y(v))]
            drawing.add(PolyLine(points, strokeColor=FITTED, strokeWidth=0.9, strokeDashArray=dash))
    run: list[float] = []
    for i, v in enumerate([*series.counts, None]):
        if v is None:
            if len(run) >= 4:
                drawing.add(PolyLine(run, strokeColor=OBSERVED, strokeWidth=1.3))
            elif len(run) == 2:
                drawing.add(Circle(run[0], run[1], 1.2, fillColor=OBSERVED, strokeColor=None))
            run = []
        else:
            run += [x(i), y(v)]
    drawing.add(String(left, CHART_H - 8, series.outcome.label, fontSize=8))
    return drawing


def interval_drawing(section: SurveySection) -> Drawing | None:
    rows = [
        (f"{r.measure.name}: {r.compared_label} vs {r.reference_label}", r.estimate, r.low, r.high)
        for r in section.analysis.comparisons
        if not r.segment and not r.withheld
    ]
    if not rows:
        return None
    row_h, label_w = 14.0, 70 * mm
    height = row_h * len(rows) + 24
    drawing = Drawing(CHART_W, height)
    values = [v for _, e, lo, hi in rows for v in (e, lo, hi)] + [0.0]
    low, high = min(values), max(values)
    margin = (high - low) * 0.1 or 1.0
    low, high = low - margin, high + margin
    left, right = label_w, CHART_W - 6

    def x(v):
        return left + (right - left) * (v - low) / (high - low)

    base = 18.0
    drawing.add(
        Line(x(0), base, x(0), base + row_h * len(rows), strokeColor=FITTED, strokeDashArray=[2, 2])
    )
    for i, (label, estimate, lo, hi) in enumerate(reversed(rows)):
        yy = base + row_h * i + row_h / 2
        short = label if len(label) <= 58 else label[:57] + "\u2026"
        drawing.add(String(left - 4, yy - 2.5, short, fontSize=6.5, textAnchor="end"))
        drawing.add(Line(x(lo), yy, x(hi), yy, strokeColor=OBSERVED, strokeWidth=1.3))
        drawing.add(Circle(x(estimate), yy, 2.2, fillColor=OBSERVED, strokeColor=None))
    drawing.add(String(left, 6, f"{low:.2f}", fontSize=6.5))
    drawing.add(String(right, 6, f"{high:.2f}", fontSize=6.5, textAnchor="end"))
    drawing.add(
        String(
            (left + right) / 2,
            6,
            "Difference in mean score, 95% CI",
            fontSize=6.5,
            textAnchor="middle",
        )
    )
    return drawing


def pdf_story(report: CampaignReport) -> list:
    s = pdf.styles()

    def p(text, style="body"):
        return Paragraph(escape(text), s[style])

    c = report.campaign
    story: list = [
        p(report.title, "title"),
        p(f"Run by {report.organization}. Made on {report.made_on:%-d %B %Y} by Cairn."),
        p(report.association, "small"),
        p("Plan", "heading"),
        p(f"Objective: {c.objective}"),
        p(f"Frame: {report.frame}"),
        p(f"Audiences: {', '.join(report.audiences) or 'none recorded'}"),
        p(f"Channels: {', '.join(report.channels) or 'none recorded'}"),
        p(f"Communities: {', '.join(report.communities) or 'none recorded'}"),
        p(f"Period: {c.starts_on:%-d %B %Y} to {c.ends_on:%-d %B %Y}"),
        p(f"Budget: {report.budget}"),
    ]
    if report.partners:
        story.append(p(f"Partners: {', '.join(report.partners)}"))
    if report.first_nations:
        story.append(p(report.first_nations))

    story.append(p("Materials and their language review", "heading"))
    if report.materials:
        rows = [["Material", "Kind, channel", "Status", "Language review"]]
        for m in report.materials:
            review = f"{m.fixed} fixed, {len(m.kept)} kept with a reason, {m.open} open"
            if m.consider:
                review += f"; {m.consider} to consider"
            if not m.checked:
                review = "Not checked yet"
            if m.kept:
                review += ". Kept: " + "; ".join(f"“{t}”: {r}" for t, r in m.kept)
            status = ", ".join(x for x in (m.status, m.approved, m.published) if x)
            rows.append([m.title, f"{m.kind}, {m.channel or 'any channel'}", status, review])
        story.append(_table(rows, [45 * mm, 30 * mm, 40 * mm, 71 * mm], s))
    else:
        story.append(p("No materials yet."))

    story.append(p("Reach", "heading"))
    if report.reach:
        rows = [["Channel", "Measure", "Total"]]
        rows += [[r.channel, r.metric, f"{r.value:,}"] for r in report.reach]
        story.append(_table(rows, [60 * mm, 70 * mm, 40 * mm], s))
        if report.cost_per_thousand is not None:
            story.append(p(f"Cost per 1,000 impressions: ${report.cost_per_thousand:,.2f}"))
    else:
        story.append(p("No reach figures imported yet."))

    story.append(p("Survey results", "heading"))
    if not report.surveys:
        story.append(p("No surveys yet."))
    for section in report.surveys:
        heading = f"{section.title} ({section.design}, {section.n_responses} responses)"
        story.append(p(heading, "subheading"))
        for sentence in section.analysis.summary:
            story.append(p(sentence))
        rows = [["Comparison", "Difference (95% CI)", "Effect size", "Responses"]]
        rows += [list(r) for r in section.rows]
        if section.rows:
            story.append(_table(rows, [70 * mm, 45 * mm, 40 * mm, 25 * mm], s))
        drawing = interval_drawing(section)
        if drawing is not None:
            story.append(drawing)

    outcomes = report.outcomes
    story.append(p("Outcomes in the campaign's communities", "heading"))
    if outcomes is None or not outcomes.series:
        story.append(p("No periods to show yet."))
    else:
        story.append(
            p(
                f"Monthly counts in {', '.join(outcomes.places)}, {outcomes.start:%B %Y} to "
                f"{outcomes.end:%B %Y}; the campaign's months are shaded. Counts from 1 to 4 "
                "are suppressed, and so are some larger ones where a suppressed count could be "
                "worked out from the total.",
                "small",
            )
        )
        band = None
        if outcomes.campaign_start_index is not None:
            band = (outcomes.campaign_start_index, outcomes.campaign_end_index)
        for panel in report.outcome_panels:
            series = panel.series
            if not series.has_data:
                story.append(p(series.outcome.label, "subheading"))
                story.append(p(series.fit_note))
                continue
            parts = [outcome_drawing(panel, band, outcomes.freq)]
            legend = "Teal: the counts. Shaded: the campaign's months."
            if series.fit is not None:
                legend += (
                    " Solid grey: the fitted trend. Dashed grey: the trend before the "
                    "campaign, carried on."
                )
            parts.append(p(legend, "small"))
            parts.append(p(f"{series.outcome.source} Total: {series.total_text}.", "small"))
            parts.append(p(series.fit_note))
            story.append(KeepTogether(parts))
            story.append(Spacer(1, 3 * mm))
        story.append(p(f"Association, not proof. {outcomes.note}", "small"))
    return story


def render_report_pdf(report: CampaignReport, *, compress: bool = True) -> bytes:
    """The PDF. `compress=False` leaves the page streams readable (for tests)."""
    return pdf.build_pdf(
        pdf_story(report),
        title=report.title,
        subject=report.campaign.name,
        footer=lambda page: (
            f"Cairn - {report.campaign.name} - campaign report, {report.made_on:%-d %b %Y} - "
            f"associations, not proof - page {page}"
        ),
        compress=compress,
    )
