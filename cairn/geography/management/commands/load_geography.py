"""`cairn load-geography`: load British Columbia, or another jurisdiction from the same formats."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cairn.geography.loading import GeographyFileError, load_british_columbia, load_jurisdiction


class Command(BaseCommand):
    help = (
        "Load a jurisdiction's communities, boundaries and populations. Without arguments, "
        "loads British Columbia's 89 Local Health Areas shipped with Cairn. "
        "File formats: docs/geography.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", help="Name of the province or state, e.g. 'Alberta'.")
        parser.add_argument("--code", help="Short code for it, e.g. 'ab'.")
        parser.add_argument(
            "--hierarchy", type=Path, help="CSV: lha_name,hsda_name,health_authority"
        )
        parser.add_argument("--boundaries", type=Path, help="GeoJSON with LHA_NAME properties")
        parser.add_argument("--populations", type=Path, help="CSV, wide (pop_YYYY) or long")
        parser.add_argument(
            "--population-source", default="", help="Where the populations come from."
        )

    def handle(self, *args, **options):
        custom = [options[k] for k in ("name", "code", "hierarchy")]
        try:
            if not any(custom):
                report = load_british_columbia()
            elif not all(custom):
                raise CommandError("--name, --code and --hierarchy are needed together.")
            else:
                report = load_jurisdiction(
                    name=options["name"],
                    code=options["code"],
                    hierarchy_path=options["hierarchy"],
                    boundaries_path=options["boundaries"],
                    populations_path=options["populations"],
                    population_source=options["population_source"],
                )
        except GeographyFileError as error:
            raise CommandError(str(error)) from error
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(report.summary())
