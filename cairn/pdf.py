"""Cairn's PDF documents (ReportLab): one page frame, style sheet and table look, shared
by every export (the ranking of communities, a team's progress report, a campaign report)."""

import io
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle


def styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=sheet["Title"], fontSize=16, alignment=TA_LEFT),
        "heading": ParagraphStyle("heading", parent=sheet["Heading2"], spaceBefore=8),
        "subheading": ParagraphStyle("subheading", parent=sheet["Heading4"], spaceBefore=4),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
        "small": ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.grey),
    }


def table(cells: list[list], widths) -> LongTable:
    """A table with its header row repeated on every page, ruled below each row."""
    result = LongTable(cells, colWidths=widths, repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def build_pdf(
    story: list,
    *,
    title: str,
    subject: str,
    footer: Callable[[int], str],
    pagesize=A4,
    bottom_margin: float = 14 * mm,
    compress: bool = True,
) -> bytes:
    """The document: 12 mm margins, `footer(page number)` at the foot of every page.
    `compress=False` leaves the page streams readable (for tests)."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=bottom_margin,
        title=title,
        author="Cairn",
        subject=subject,
        pageCompression=1 if compress else 0,
    )

    def draw_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(12 * mm, 7 * mm, footer(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return out.getvalue()
