"""The care alerts inbox of the user's teams, and acknowledging an alert.

The list shows each person's name (linked to their record), so it is audited as a
list read (`cases.client.care_alerts`). Acknowledging is audited by
`cairn.cases.care_alerts.acknowledge`.
"""

from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cairn.cases import care_alerts
from cairn.cases.access import Purpose, record_client_list_read
from cairn.cases.views.common import care_team_view, problem

LIMIT = 200


@care_team_view
@require_GET
def care_alert_inbox(request):
    state = request.GET.get("state") or "open"
    try:
        rows = care_alerts.alerts_for(request.user, state=state)
    except care_alerts.CareAlertError as error:
        return problem(request, str(error))
    alerts = list(rows[:LIMIT])
    if alerts:
        record_client_list_read(
            request.user, [a.client_id for a in alerts], purpose=Purpose.CARE, what="care_alerts"
        )
    return render(
        request,
        "cases/care_alerts/inbox.html",
        {
            "alerts": alerts,
            "state": state,
            "states": care_alerts.STATES,
            "more": len(alerts) == LIMIT,
        },
    )


@care_team_view
@require_POST
def care_alert_acknowledge(request, alert_id):
    care_alerts.acknowledge(actor=request.user, alert_id=alert_id)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "cases:care_alerts")
