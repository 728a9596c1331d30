"""Pages of the outreach app, under /teams/ (namespace "outreach").

Team workspace pages are here; encounter pages ("enc") are in urls_encounters.py, included
at the same root so every name is outreach:<name>.
"""

from django.urls import include, path

from cairn.outreach.views import plan, reports, teams

app_name = "outreach"

urlpatterns: list = [
    path("", teams.team_list, name="teams"),
    path("new/", teams.team_new, name="team_new"),
    path("<slug:slug>/", teams.team_detail, name="team_detail"),
    path("<slug:slug>/edit/", teams.team_edit, name="team_edit"),
    path("<slug:slug>/members/add/", teams.member_add, name="member_add"),
    path("<slug:slug>/members/<int:member_id>/end/", teams.member_end, name="member_end"),
    path("<slug:slug>/funding/add/", teams.funding_add, name="funding_add"),
    path("<slug:slug>/plan/", plan.plan, name="plan"),
    path("<slug:slug>/plan/goals/add/", plan.goal_add, name="goal_add"),
    path("<slug:slug>/plan/goals/<int:goal_id>/status/", plan.goal_status, name="goal_status"),
    path("<slug:slug>/plan/actions/add/", plan.action_add, name="action_add"),
    path(
        "<slug:slug>/plan/actions/<int:action_id>/status/",
        plan.action_status,
        name="action_status",
    ),
    path("<slug:slug>/plan/indicators/add/", plan.indicator_add, name="indicator_add"),
    path(
        "<slug:slug>/plan/indicators/<int:indicator_id>/progress/",
        plan.indicator_progress,
        name="indicator_progress",
    ),
    path("<slug:slug>/plan/progress/", plan.progress_add, name="progress_add"),
    path("<slug:slug>/report.pdf", reports.report_pdf_view, name="report_pdf"),
    path("<slug:slug>/report.csv", reports.report_csv_view, name="report_csv"),
    path("<slug:slug>/at-risk/", reports.at_risk, name="at_risk"),
    path("", include("cairn.outreach.urls_encounters")),
]
