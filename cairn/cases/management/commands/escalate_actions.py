"""`cairn escalate-actions`: care alerts for overdue care-plan actions (and follow-ups).

For scheduled runs (cron, systemd timer), next to `cairn escalate-overdue`. Every open
care-plan action past its due date raises one `action_overdue` alert to the team that
holds the case; every follow-up that `escalate-overdue` escalated and that is still
open raises one `follow_up_overdue` alert into the same inbox. Running again raises
nothing new (each alert's source key is the action or follow-up).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cairn.cases import care_alerts, plans


class Command(BaseCommand):
    help = "Raise care alerts for overdue care-plan actions and escalated follow-ups (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            default="",
            help="The day to compare due dates with (default: today, local time).",
        )

    def handle(self, *args, today: str = "", **options) -> None:
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: {today!r} is not a date like 2026-11-26.") from None
        actions = plans.escalate_overdue_actions(today=day)
        follow_ups = care_alerts.alerts_from_follow_up_escalations()
        teams = len({a.organization_id for a in actions + follow_ups})
        self.stdout.write(
            f"Raised {len(actions)} overdue-action alert(s) and {len(follow_ups)} "
            f"overdue-follow-up alert(s) for {team_word(teams)}."
        )


def team_word(teams: int) -> str:
    return f"{teams} team" + ("" if teams == 1 else "s")
