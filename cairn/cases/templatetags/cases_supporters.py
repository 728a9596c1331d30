"""Template tags for the case pages: the care alerts count in the case navigation, and
the supporters and open alerts of one person on their case page.

`client_supporters` and `client_care_alerts` take a client the page opened through
the access choke point (`get_client_for_user`), and show only what the care team of
a holding organization may see.
"""

from django import template

from cairn.cases import care_alerts, supporters
from cairn.cases.access import is_on_a_care_team

register = template.Library()


@register.simple_tag(takes_context=True)
def open_care_alert_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_on_a_care_team(user):
        return 0
    return care_alerts.open_alert_count(user)


@register.inclusion_tag("cases/supporters/_client_supporters.html", takes_context=True)
def client_supporters(context, client):
    return {"client": client, "supporters": supporters.supporters_for(client)}


@register.inclusion_tag("cases/care_alerts/_client_alerts.html", takes_context=True)
def client_care_alerts(context, client):
    user = context["request"].user
    return {
        "client": client,
        "alerts": list(care_alerts.alerts_for(user, client=client)[:20]),
        "request": context["request"],
    }
