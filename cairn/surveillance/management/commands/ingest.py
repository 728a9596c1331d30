"""`cairn ingest hl7 FILE...` and `cairn ingest csv --mapping mapping.yml FILE...`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Import surveillance records from HL7 v2 message files or CSV extracts."

    def add_arguments(self, parser):
        formats = parser.add_subparsers(dest="format", required=True, metavar="{hl7,csv}")
        hl7 = formats.add_parser("hl7", help="HL7 v2 ADT messages, one or many per file.")
        hl7.add_argument("files", nargs="+", type=Path)
        csv = formats.add_parser("csv", help="A CSV line list with a column mapping.")
        csv.add_argument("--mapping", required=True, type=Path, help="Column mapping (YAML).")
        csv.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, **options):
        missing = [str(path) for path in options["files"] if not path.is_file()]
        if missing:
            raise CommandError(f"File not found: {', '.join(missing)}")
        if options["format"] == "hl7":
            from cairn.surveillance.intake.hl7.files import ingest_hl7_files

            summary = ingest_hl7_files(options["files"], stdout=self.stdout)
        else:
            from cairn.surveillance.intake.csv_import import import_csv_files

            summary = import_csv_files(
                options["files"], mapping_path=options["mapping"], stdout=self.stdout
            )
        self.stdout.write(str(summary))
