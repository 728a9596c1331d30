"""Campaign pages (placeholder until the plan helper replaces it)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from cairn.campaigns.access import campaigns_for, may_use_campaigns


@login_required
def campaign_list(request):
    if not may_use_campaigns(request.user):
        raise PermissionDenied
    names = ", ".join(c.name for c in campaigns_for(request.user))
    return HttpResponse(f"Campaigns: {names}")
