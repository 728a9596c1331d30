"""`cairn referrals overdue`: notices for overdue closed-loop referrals, once each.

For scheduled runs (cron, systemd timer). A referral not received and answered within
its answer time (2 days), or accepted and not completed within 30 days, gets one notice
(shown on both sides' lists and its timeline); one from a case also raises a care alert
to the sending team. Running again raises nothing new.

`cairn referrals notify` sends the arrival emails still due: those a mail server
refused when the referral was sent, while nobody at the receiving organization has
opened it (at most five tries each; docs/referrals.md).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.referrals.actions import raise_overdue_notices
from cairn.referrals.arrivals import pending_arrivals, send_arrival_emails


class Command(BaseCommand):
    help = (
        "Closed-loop referrals: `overdue` raises a notice once for each overdue referral; "
        "`notify` sends the arrival emails still due."
    )

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
        commands.add_parser("notify", help="Send the arrival emails still due (retries).")

    def handle(self, *args, subcommand: str, now: str = "", **options) -> None:
        if subcommand == "notify":
            due = pending_arrivals().count()
            sent = send_arrival_emails()
            left = pending_arrivals().count()
            self.stdout.write(
                f"{due} referral(s) waiting for their arrival email: {sent} email(s) sent, "
                f"{left} referral(s) still waiting (a mail failure or nobody to email)."
            )
            return
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
