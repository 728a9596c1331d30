"""`cairn treatment check [--as-of DATE] [--dry-run]`: refresh the derived OAT episodes
and raise the stop and missed-dose alerts due on a date (default: yesterday, the last
day whose dispensing is complete). Idempotent: run it as often as you like (cron, a
systemd timer); an alert already raised is not raised again.

`cairn treatment import FILE.csv --user USERNAME [--mapping "date=DispDate,..."]`
imports dispensing and missed doses as that care-team member (docs/cases-treatment.md).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cairn.cases.models import Client
from cairn.cases.treatment import alerts, importing, records


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: give a date like 2026-01-31 (got {text!r}).") from None


class Command(BaseCommand):
    help = "Opioid agonist treatment: check for stops and missed doses; import dispensing."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        check = commands.add_parser("check", help="Refresh episodes and raise alerts (idempotent).")
        check.add_argument("--as-of", default="", help="YYYY-MM-DD (default: yesterday)")
        check.add_argument(
            "--dry-run", action="store_true", help="Print what would be alerted; change nothing."
        )
        load = commands.add_parser("import", help="Import a CSV of dispensing / missed doses.")
        load.add_argument("file")
        load.add_argument("--user", required=True, help="The care-team member importing it.")
        load.add_argument("--mapping", default="", help="our_column=their_column, ...")

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "import":
            return self._import(options)
        as_of = (
            _date(options["as_of"])
            if options["as_of"]
            else timezone.localdate() - dt.timedelta(days=1)
        )
        if options["dry_run"]:
            pending = alerts.detect(as_of)
            for item in pending:
                self.stdout.write(
                    f"{item.kind} client {item.client_id} organization {item.organization_id}: "
                    f"{item.text}"
                )
            self.stdout.write(f"{len(pending)} alert(s) would be raised or are already raised.")
            return
        ids = alerts.people_with_treatment()
        for client in Client.objects.filter(pk__in=ids):
            records.rederive(client, as_of)
        result = alerts.check(as_of)
        self.stdout.write(
            f"Checked {result.people} people on OAT records as of {as_of}: "
            f"{len(result.raised)} alert(s) raised, {result.already} already raised."
        )

    def _import(self, options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        try:
            with open(options["file"], "rb") as handle:
                data = handle.read(importing.MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}.") from None
        try:
            result = importing.import_csv(
                actor=user, data=data, filename=options["file"], mapping=options["mapping"]
            )
        except importing.ImportRefused as error:
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        for e in result.errors:
            self.stderr.write(f"line {e['line']}, column {e['column'] or '-'}: {e['message']}")
        self.stdout.write(
            f"{result.accepted} new, {result.already_recorded} already recorded, "
            f"{len(result.errors)} refused, of {result.rows} rows."
        )
