"""`cairn hsds import PATH...` and `cairn hsds export --format json|csv|tables OUT`
(the same as `cairn directory import-hsds` / `export-hsds`); see docs/directory-hsds.md."""

from django.core.management.base import BaseCommand, CommandParser

from cairn.directory.hsds import cli


class Command(BaseCommand):
    help = "Open Referral HSDS 3.0 import and export for the resource directory."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        cli.add_subcommands(commands, names=("import", "export"))

    def handle(self, *args, subcommand: str, **options) -> None:
        name = {"import": "import-hsds", "export": "export-hsds"}[subcommand]
        cli.run(name, options, self.stdout)
