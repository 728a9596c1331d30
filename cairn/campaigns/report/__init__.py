"""The campaign report (HTML and PDF) and its charts.

- build.py: `build_report(campaign, user) -> CampaignReport`, one reading for both formats.
- pdf.py: `render_report_pdf(report) -> bytes` (reportlab).
- charts.py: the SVG charts of the page (outcome series with the campaign shaded; survey
  differences with their intervals).
"""

from cairn.campaigns.report.build import CampaignReport, build_report
from cairn.campaigns.report.pdf import render_report_pdf

__all__ = ["CampaignReport", "build_report", "render_report_pdf"]
