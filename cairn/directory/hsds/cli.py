"""`cairn directory import-hsds PATH...` and `cairn directory export-hsds --format json|csv OUT`.

The subcommands hang on the `directory` management command; `cairn hsds import|export`
(management command `hsds`) runs the same functions.
"""

import json
from pathlib import Path

from django.core.management.base import CommandError

from cairn.directory.hsds.exporter import export_hsds
from cairn.directory.hsds.importer import import_hsds

SUBCOMMANDS = ("import-hsds", "export-hsds")


def add_subcommands(commands, *, names=SUBCOMMANDS) -> None:
    importing = commands.add_parser(
        names[0], help="Import HSDS 3.0 files (JSON or CSV; files or folders)."
    )
    importing.add_argument("paths", nargs="+", metavar="PATH")
    importing.add_argument(
        "--strict",
        action="store_true",
        help="Validate every record with jsonschema alone (slower; same result).",
    )
    importing.add_argument("--json", action="store_true", help="Print the report as JSON.")
    exporting = commands.add_parser(names[1], help="Export the directory as HSDS 3.0.")
    exporting.add_argument(
        "--format",
        choices=("json", "csv", "tables"),
        default="json",
        help="json: a list of compiled services (one file); csv: a folder with one file per "
        "table; tables: one JSON file with every table (complete).",
    )
    exporting.add_argument("out", metavar="OUT", help="A file (json, tables) or folder (csv).")


def handles(subcommand: str) -> bool:
    return subcommand in SUBCOMMANDS


def run(subcommand: str, options: dict, stdout) -> None:
    if subcommand == "import-hsds":
        report = import_hsds(options["paths"], actor="cli:import-hsds", strict=options["strict"])
        if options.get("json"):
            stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            for problem in report.problems[:200]:
                stdout.write(f"{problem.level}: {problem}")
            if len(report.problems) > 200:
                stdout.write(f"... and {len(report.problems) - 200} more")
            for table, counts in report.counts.items():
                stdout.write(
                    f"{table}: {counts['created']} created, {counts['updated']} updated, "
                    f"{counts['rejected']} rejected"
                )
            stdout.write(report.summary())
        if report.errors and not (report.created or report.updated):
            raise CommandError("nothing was imported")
        return
    if subcommand == "export-hsds":
        fmt, out = options["format"], Path(options["out"])
        document = export_hsds(None, fmt=fmt)
        if fmt == "csv":
            out.mkdir(parents=True, exist_ok=True)
            for name, text in document.items():
                (out / name).write_text(text, encoding="utf-8", newline="")
            stdout.write(f"Wrote {len(document)} CSV files to {out}")
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
            count = len(document) if fmt == "json" else sum(len(v) for v in document.values())
            stdout.write(f"Wrote {count} HSDS records to {out}")
        return
    raise CommandError(f"unknown subcommand {subcommand!r}")
