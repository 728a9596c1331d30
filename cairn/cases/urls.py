"""Case management pages; included at "cases/"."""

from django.urls import path

from cairn.cases.views import assessments, clients, followups, groups, merges, plans, worklist
from cairn.cases.views import care_alerts as care_alert_views
from cairn.cases.views import supporters as supporter_views
from cairn.cases.views import treatment as treatment_views

app_name = "cases"

urlpatterns = [
    path("", worklist.worklist, name="worklist"),
    path("export.csv", worklist.worklist_export, name="worklist_export"),
    path("records/<int:event_id>/", worklist.source_record, name="source_record"),
    path("records/<int:event_id>/open/", worklist.open_from_record, name="open_from_record"),
    path("records/<int:event_id>/set-aside/", worklist.set_aside, name="set_aside"),
    path("clients/", clients.client_search, name="client_search"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/check/", clients.duplicate_check, name="duplicate_check"),
    path("clients/<int:client_id>/", clients.client_detail, name="client_detail"),
    path("clients/<int:client_id>/names/", clients.client_add_name, name="client_add_name"),
    path(
        "clients/<int:client_id>/contacts/", clients.client_add_contact, name="client_add_contact"
    ),
    path("clients/<int:client_id>/details/", clients.client_update, name="client_update"),
    path(
        "clients/<int:client_id>/identity/",
        clients.client_link_identity,
        name="client_link_identity",
    ),
    path("clients/<int:client_id>/episodes/new/", clients.episode_create, name="episode_create"),
    path("clients/<int:client_id>/merge/", merges.client_merge, name="client_merge"),
    path("merges/<int:merge_id>/undo/", merges.merge_undo, name="merge_undo"),
    # Risk assessment, the four groups, follow-up (cases-care).
    path("clients/<int:client_id>/assessments/", assessments.assessments, name="assessments"),
    path(
        "assessments/<int:assessment_id>/", assessments.assessment_detail, name="assessment_detail"
    ),
    path("clients/<int:client_id>/care/", groups.client_care, name="client_care"),
    path("groups/", groups.group_catalogue, name="group_catalogue"),
    path("groups/supports/<int:support_id>/", groups.group_support_edit, name="group_support_edit"),
    path("follow-ups/", followups.follow_up_worklist, name="follow_up_worklist"),
    path("follow-ups/export.csv", followups.follow_up_export, name="follow_up_export"),
    path(
        "follow-ups/notices/read/", followups.follow_up_notices_read, name="follow_up_notices_read"
    ),
    path(
        "clients/<int:client_id>/episodes/<int:episode_id>/follow-up/",
        followups.follow_up_start,
        name="follow_up_start",
    ),
    path("follow-ups/<int:follow_up_id>/", followups.follow_up_detail, name="follow_up_detail"),
    path(
        "follow-ups/<int:follow_up_id>/attempts/",
        followups.follow_up_attempt,
        name="follow_up_attempt",
    ),
    # The care plan (cases-plan).
    path("clients/<int:client_id>/plan/", plans.plan, name="plan"),
    path("clients/<int:client_id>/plan/goals/", plans.plan_goal_add, name="plan_goal_add"),
    path(
        "clients/<int:client_id>/plan/goals/<int:goal_id>/",
        plans.plan_goal_status,
        name="plan_goal_status",
    ),
    path(
        "clients/<int:client_id>/plan/goals/<int:goal_id>/edit/",
        plans.plan_goal_edit,
        name="plan_goal_edit",
    ),
    path("clients/<int:client_id>/plan/actions/", plans.plan_action_add, name="plan_action_add"),
    path(
        "clients/<int:client_id>/plan/actions/<int:action_id>/edit/",
        plans.plan_action_edit,
        name="plan_action_edit",
    ),
    path(
        "clients/<int:client_id>/plan/actions/<int:action_id>/",
        plans.plan_action_status,
        name="plan_action_status",
    ),
    path(
        "clients/<int:client_id>/plan/referrals/",
        plans.plan_referral_add,
        name="plan_referral_add",
    ),
    path(
        "clients/<int:client_id>/plan/referrals/<int:referral_id>/",
        plans.plan_referral_status,
        name="plan_referral_status",
    ),
    # Opioid agonist treatment (cases-treatment).
    path("clients/<int:client_id>/treatment/", treatment_views.treatment, name="treatment"),
    path(
        "clients/<int:client_id>/treatment/summary/",
        treatment_views.treatment_summary,
        name="treatment_summary",
    ),
    path(
        "clients/<int:client_id>/treatment/episodes/",
        treatment_views.treatment_episode_start,
        name="treatment_episode_start",
    ),
    path(
        "clients/<int:client_id>/treatment/episodes/<int:episode_id>/stop/",
        treatment_views.treatment_episode_stop,
        name="treatment_episode_stop",
    ),
    path(
        "clients/<int:client_id>/treatment/dispensing/",
        treatment_views.treatment_dispensing_add,
        name="treatment_dispensing_add",
    ),
    path(
        "clients/<int:client_id>/treatment/missed-doses/",
        treatment_views.treatment_missed_dose_add,
        name="treatment_missed_dose_add",
    ),
    path(
        "clients/<int:client_id>/treatment/diagnosis/",
        treatment_views.treatment_diagnosis,
        name="treatment_diagnosis",
    ),
    path("treatment/import/", treatment_views.treatment_import, name="treatment_import"),
    path("treatment/cascade/", treatment_views.treatment_cascade, name="treatment_cascade"),
    # Care alerts and supporters (cases-supporters).
    path("alerts/", care_alert_views.care_alert_inbox, name="care_alerts"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        care_alert_views.care_alert_acknowledge,
        name="care_alert_acknowledge",
    ),
    path(
        "clients/<int:client_id>/supporters/",
        supporter_views.supporters_page,
        name="supporters",
    ),
    path(
        "clients/<int:client_id>/supporters/<int:supporter_id>/consents/",
        supporter_views.supporter_consent_add,
        name="supporter_consent_add",
    ),
    path(
        "clients/<int:client_id>/supporters/<int:supporter_id>/consents/<int:consent_id>/revoke/",
        supporter_views.supporter_consent_revoke,
        name="supporter_consent_revoke",
    ),
    path(
        "clients/<int:client_id>/supporters/<int:supporter_id>/end/",
        supporter_views.supporter_end,
        name="supporter_end",
    ),
    path("supporting/", supporter_views.supporting_list, name="supporting_list"),
    path(
        "supporting/<int:client_id>/", supporter_views.supporting_detail, name="supporting_detail"
    ),
]
