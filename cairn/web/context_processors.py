"""Navigation shown in the base layout, built from what the user may see."""

from dataclasses import dataclass

from django.urls import reverse

from cairn.access.permissions import has_permission, roles_of
from cairn.access.roles import Permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, URL name, permission needed, URL names that count as "here")
_NAVIGATION = [
    ("Dashboard", "home", Permission.VIEW_DASHBOARD, {"home"}),
    (
        "Communities",
        "community_list",
        Permission.VIEW_COMMUNITY,
        {"community_list", "community_detail"},
    ),
    (
        "Surveillance",
        "dashboards:index",
        Permission.VIEW_AGGREGATES,
        {"dashboards:index", "dashboards:area"},
    ),
    (
        "Alerts",
        "alerts:alert_list",
        Permission.VIEW_AGGREGATES,
        {"alerts:alert_list", "alerts:alert_detail", "alerts:inbox", "alerts:subscriptions"},
    ),
    ("Ranking", "ranking:ranking", Permission.VIEW_AGGREGATES, {"ranking:ranking"}),
    (
        "Cases",
        "cases:worklist",
        Permission.VIEW_IDENTIFIABLE,
        {"cases:worklist", "cases:client_search", "cases:client_detail"},
    ),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cairn_roles": [], "nav_items": []}
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    items = [
        NavItem(label, reverse(url_name), here in current)
        for label, url_name, permission, current in _NAVIGATION
        if has_permission(user, permission)
    ]
    items.extend(_partnership_items(user, here))
    if _supports_someone(user):
        current = here in {"cases:supporting_list", "cases:supporting_detail"}
        items.append(NavItem("People you support", reverse("cases:supporting_list"), current))
    if has_permission(user, Permission.USE_ADMIN):
        items.append(NavItem("Admin", reverse("admin:index"), False))
    return {"cairn_roles": roles_of(user), "nav_items": items}


def _partnership_items(user, here: str) -> list[NavItem]:
    """Teams, referrals and the directory: shown to those they concern."""
    from cairn.campaigns.access import may_use_campaigns
    from cairn.outreach.access import teams_for
    from cairn.referrals.access import may_receive, may_send

    app = here.split(":", 1)[0]
    items = []
    if has_permission(user, Permission.MANAGE_TEAMS) or teams_for(user).exists():
        items.append(NavItem("Teams", reverse("outreach:teams"), app == "outreach"))
    if may_send(user) or may_receive(user):
        items.append(NavItem("Referrals", reverse("referrals:index"), app == "referrals"))
    if may_use_campaigns(user):
        items.append(NavItem("Campaigns", reverse("campaigns:campaign_list"), app == "campaigns"))
    items.append(NavItem("Directory", reverse("directory:search"), app == "directory"))
    return items


def _supports_someone(user) -> bool:
    """Whether someone chose this account as a supporter, with a consent in force."""
    from cairn.cases.access import may_be_a_supporter, supporter_links_for

    return may_be_a_supporter(user) and supporter_links_for(user).exists()
