"""`cairn directory stale [--dry-run]`: list the listings not verified for
CAIRN_DIRECTORY_STALE_DAYS days (default 90) and notify their owning organizations
(an entry on "Your listings" and one email per listing keeper). Idempotent: a listing
is noticed once per stale spell, so running it daily (cron) sends nothing twice.

`cairn directory import-hsds PATH...` and `cairn directory export-hsds`: HSDS 3.0
(cairn.directory.hsds.cli, docs/directory-hsds.md).
"""

from django.core.management.base import BaseCommand, CommandParser

from cairn.directory import stale
from cairn.directory.hsds import cli as hsds_cli
from cairn.directory.listings import stale_listings
from cairn.directory.models import Service


class Command(BaseCommand):
    help = "Resource directory: find stale listings and notify their owning organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        check = commands.add_parser("stale", help="List stale listings and notify their owners.")
        check.add_argument("--dry-run", action="store_true", help="List them only; notify nobody.")
        hsds_cli.add_subcommands(commands)

    def handle(self, *args, subcommand: str, **options) -> None:
        if hsds_cli.handles(subcommand):
            return hsds_cli.run(subcommand, options, self.stdout)
        if options["dry_run"]:
            services = stale_listings(
                Service.objects.select_related("provider__partner").exclude(status="defunct")
            ).order_by("assured_date", "name")
            for service in services:
                self._line(service)
            self.stdout.write(f"{services.count()} stale listing(s); nobody notified (dry run).")
            return
        run = stale.find_stale_and_notify()
        for service in run.stale:
            self._line(service)
        self.stdout.write(stale.describe_run(run))

    def _line(self, service: Service) -> None:
        provider = service.provider
        owner = provider.partner.name if provider and provider.partner_id else "(no owner)"
        verified = service.assured_date.isoformat() if service.assured_date else "never"
        self.stdout.write(f"{service.pk}\t{verified}\t{owner}\t{service.name}")
