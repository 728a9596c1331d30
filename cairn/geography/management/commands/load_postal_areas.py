"""`cairn load-postal-areas`: place postal-code prefixes in communities."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cairn.geography.loading import GeographyFileError, load_postal_areas


class Command(BaseCommand):
    help = "Load a CSV of postal-code prefixes (columns prefix,lha_name) for a jurisdiction."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--jurisdiction", default="bc", help="Code of the province or state.")
        parser.add_argument("--source", default="", help="Where the mapping comes from.")

    def handle(self, *args, **options):
        try:
            report = load_postal_areas(
                path=options["file"],
                jurisdiction_code=options["jurisdiction"],
                source=options["source"],
            )
        except GeographyFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{report.postal_areas} postal areas loaded")
