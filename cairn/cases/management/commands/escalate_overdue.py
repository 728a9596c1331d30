"""`cairn escalate-overdue`: escalate follow-ups whose first contact is overdue.

For scheduled runs (cron, systemd timer). Each overdue follow-up is escalated once,
with a notice to the team that holds it; running again changes nothing. With
`--start-missing DAYS`, first starts the clock for open episodes opened in the last
DAYS days that have none.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.cases import followups


class Command(BaseCommand):
    help = "Escalate overdue follow-ups (each once) and notify the holding team."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--start-missing",
            type=int,
            metavar="DAYS",
            default=0,
            help="First start the clock for open episodes opened in the last DAYS days.",
        )

    def handle(self, *args, start_missing: int = 0, **options) -> None:
        if start_missing < 0:
            raise CommandError("--start-missing: give a number of days, 0 or more.")
        started = []
        if start_missing:
            since = timezone.now() - dt.timedelta(days=start_missing)
            started = followups.start_missing_clocks(since=since)
        escalated = followups.escalate_overdue()
        teams = len({f.organization_id for f in escalated})
        self.stdout.write(
            f"Escalated {len(escalated)} overdue follow-up(s) for {teams} team(s); "
            f"started {len(started)} clock(s)."
        )
