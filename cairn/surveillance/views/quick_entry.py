"""The quick-entry form a first responder fills on a phone, and its confirmation.

Works without JavaScript. The form carries a hidden report id made when it is shown,
so sending it twice (a double tap, the back button, a flaky connection) stores one
report. After a report is stored the browser is redirected (post/redirect/get).
"""

import uuid

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cairn.access.roles import Permission
from cairn.surveillance.intake.quick_entry import QuickReportForm, submit_quick_report
from cairn.surveillance.models import Source
from cairn.web.decorators import require_permission

SENT_SESSION_KEY = "quick_entry_sent"
SENT_REMEMBERED = 10


@require_permission(Permission.SUBMIT_REPORTS)
@never_cache
def report_overdose(request):
    if request.method == "POST":
        form = QuickReportForm(request.POST, user=request.user)
        if form.is_valid():
            report = submit_quick_report(user=request.user, form=form)
            _remember_sent(request, report)
            return redirect("intake:overdose_sent", report_id=report.report_id)
        status = 400
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = QuickReportForm(
            initial={
                "report_id": str(uuid.uuid4()),
                "occurred_at": now,
                "reporting_service": Source.FIRST_RESPONDER.value,
                "naloxone_doses": 0,
            },
            user=request.user,
        )
        status = 200
    return render(request, "surveillance/quick_entry.html", {"form": form}, status=status)


def _remember_sent(request, report) -> None:
    sent = request.session.get(SENT_SESSION_KEY, {})
    sent[report.report_id] = {
        "status": report.status,
        "community": report.community_name,
        "note": report.note,
    }
    request.session[SENT_SESSION_KEY] = dict(list(sent.items())[-SENT_REMEMBERED:])


@require_permission(Permission.SUBMIT_REPORTS)
@never_cache
def report_sent(request, report_id):
    # Only what this browser sent is summarised; any other id gets the plain thanks.
    summary = request.session.get(SENT_SESSION_KEY, {}).get(report_id)
    return render(request, "surveillance/quick_entry_sent.html", {"summary": summary})
