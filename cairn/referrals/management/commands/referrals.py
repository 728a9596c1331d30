"""`cairn referrals overdue`: notices for overdue closed-loop referrals, once each.

For scheduled runs (cron, systemd timer). A referral not received and answered within
its answer time (2 days), or accepted and not completed within 30 days, gets one notice
(shown on both sides' lists and its timeline); one from a case also raises a care alert
to the sending team. Running again raises nothing new.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.referrals.actions import raise_overdue_notices


class Command(BaseCommand):
    help = "Closed-loop referrals: `overdue` raises a notice once for each overdue referral."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        overdue = commands.add_parser(
            "overdue", help="Raise notices for overdue referrals (once each)."
        )
        overdue.add_argument(
            "--now",
            metavar="YYYY-MM-DDTHH:MM",
            default="",
            help="The moment to judge at (default: now).",
        )

    def handle(self, *args, subcommand: str, now: str = "", **options) -> None:
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: {now!r} is not a time like 2026-11-26T08:00.") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        notices = raise_overdue_notices(now=moment)
        answer = sum(1 for n in notices if n.kind == "answer")
        self.stdout.write(
            f"Raised {len(notices)} overdue notice(s): {answer} without an answer, "
            f"{len(notices) - answer} not completed."
        )
