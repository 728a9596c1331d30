"""`cairn surveillance classify|reclassify`: case definitions from the command line.

classify --input visits.csv --output out.csv [--definitions shipped|published]
reclassify [--job ID]
detect, counts, run: see the modules named in SUBCOMMAND_MODULES.
"""

import csv
import importlib
import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from cairn.surveillance.classification.engine import Classifier
from cairn.surveillance.definitions import shipped_rules

REQUIRED_COLUMNS = ("id", "chief_complaint", "discharge_diagnosis")
BATCH = 10_000

# Subcommands that live with the code they drive. Each module has
# `add_arguments(parser)` and `handle(command, options)`.
SUBCOMMAND_MODULES = {
    "detect": "cairn.surveillance.detection.cli",
    "counts": "cairn.surveillance.counts.cli",
    "run": "cairn.surveillance.runs",
}


class Command(BaseCommand):
    help = "Classify records by the case definitions, or re-classify stored events."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        classify = commands.add_parser(
            "classify",
            help="Classify a CSV of visits (id,chief_complaint,discharge_diagnosis).",
        )
        classify.add_argument("--input", required=True, help="CSV file, or - for stdin.")
        classify.add_argument("--output", required=True, help="CSV file, or - for stdout.")
        classify.add_argument(
            "--definitions",
            choices=["published", "shipped"],
            default="published",
            help="published: the active versions in the database (default; the shipped "
            "files when the database holds none); shipped: the files Cairn ships.",
        )
        reclassify = commands.add_parser(
            "reclassify", help="Run queued re-classification jobs (or one job) now."
        )
        reclassify.add_argument("--job", type=int, help="Run this job only.")
        reclassify.add_argument(
            "--new", action="store_true", help="Queue a new job for every event and run it."
        )
        for name, module_name in SUBCOMMAND_MODULES.items():
            module = importlib.import_module(module_name)
            module.add_arguments(commands.add_parser(name, help=module.HELP))

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "classify":
            self.classify(options["input"], options["output"], options["definitions"])
        elif subcommand == "reclassify":
            self.reclassify(options.get("job"), options.get("new", False))
        else:
            importlib.import_module(SUBCOMMAND_MODULES[subcommand]).handle(self, options)

    # -- classify ------------------------------------------------------------
    def _classifier(self, which: str) -> Classifier:
        if which == "published":
            try:
                from cairn.surveillance.classification.store import published_definitions

                published = published_definitions()
                if published.classifier.keys:
                    return published.classifier
            except DatabaseError:
                pass
            self.stderr.write("No published definitions in the database: using the shipped ones.")
        return Classifier(shipped_rules())

    def classify(self, input_name: str, output_name: str, which: str) -> None:
        classifier = self._classifier(which)
        started = time.monotonic()
        try:
            source = (
                sys.stdin
                if input_name == "-"
                else open(input_name, newline="", encoding="utf-8-sig")  # noqa: SIM115
            )
        except FileNotFoundError:
            raise CommandError(f"{input_name}: no such file.") from None
        except OSError as error:
            raise CommandError(f"{input_name}: cannot open ({error.strerror}).") from None
        try:
            target = (
                sys.stdout
                if output_name == "-"
                else open(output_name, "w", newline="", encoding="utf-8")  # noqa: SIM115
            )
        except OSError as error:
            source.close()
            raise CommandError(f"{output_name}: cannot write ({error.strerror}).") from None
        try:
            count, matched = self._classify_stream(classifier, source, target, input_name)
        finally:
            if source is not sys.stdin:
                source.close()
            if target is not sys.stdout:
                target.close()
        seconds = time.monotonic() - started
        self.stderr.write(
            f"Classified {count:,} records in {seconds:.1f} s: {matched:,} met at least one "
            f"definition ({', '.join(classifier.keys)})."
        )

    def _classify_stream(self, classifier, source, target, name) -> tuple[int, int]:
        reader = csv.reader(source)
        writer = csv.writer(target, lineterminator="\n")
        try:
            header = next(reader)
        except StopIteration:
            raise CommandError(
                f"{name} line 1: the file is empty; expected a header row "
                f"{','.join(REQUIRED_COLUMNS)}."
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{name} near line {reader.line_num + 1}: not UTF-8 text; save the file as UTF-8."
            ) from None
        except csv.Error as error:
            raise CommandError(f"{name} line 1: unreadable header ({error}).") from None
        columns = [c.strip().lower() for c in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CommandError(
                f"{name} line 1: missing column(s) {', '.join(missing)}; "
                f"the header is {','.join(header) or '(empty)'}."
            )
        at = [columns.index(c) for c in REQUIRED_COLUMNS]
        width = max(at) + 1
        writer.writerow(["id", "definitions", "matched"])
        classify = classifier.classify
        count = matched = 0
        line = 1
        try:
            out = []
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) < width:
                    raise CommandError(
                        f"{name} line {line}: {len(row)} field(s), expected at least {width} "
                        f"(column {REQUIRED_COLUMNS[at.index(max(at))]} is missing)."
                    )
                matches = classify(row[at[1]], row[at[2]])
                if matches:
                    matched += 1
                out.append(
                    (
                        row[at[0]],
                        ";".join(m.definition for m in matches),
                        "; ".join(f"{m.definition}: {m.reason}" for m in matches),
                    )
                )
                if len(out) >= BATCH:
                    writer.writerows(out)
                    count += len(out)
                    out = []
            writer.writerows(out)
            count += len(out)
        except csv.Error as error:
            raise CommandError(f"{name} line {reader.line_num}: {error}.") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{name} near line {reader.line_num + 1}: not UTF-8 text; save the file as UTF-8."
            ) from None
        return count, matched

    # -- reclassify ----------------------------------------------------------
    def reclassify(self, job_id: int | None, new: bool) -> None:
        from cairn.surveillance.classification.reclassify import (
            queue_reclassification,
            run_reclassification,
        )
        from cairn.surveillance.models import JobStatus, ReclassificationJob

        if new:
            jobs = [queue_reclassification(reason="requested from the command line")]
        elif job_id is not None:
            try:
                jobs = [ReclassificationJob.objects.get(pk=job_id)]
            except ReclassificationJob.DoesNotExist:
                raise CommandError(f"No re-classification job {job_id}.") from None
            if jobs[0].status != JobStatus.QUEUED:
                raise CommandError(f"Job {job_id} is {jobs[0].status}, not queued.")
        else:
            jobs = list(ReclassificationJob.objects.filter(status=JobStatus.QUEUED).order_by("pk"))
        if not jobs:
            self.stdout.write("No queued re-classification job.")
            return
        for job in jobs:
            started = time.monotonic()

            def progress(done: int, total: int, job=job) -> None:
                self.stderr.write(f"\rjob {job.pk}: {done:,}/{total:,} events", ending="")

            try:
                job = run_reclassification(job, progress=progress)
            except Exception as error:
                raise CommandError(f"Job {job.pk} failed: {error}") from None
            self.stderr.write("")
            self.stdout.write(
                f"Job {job.pk} {job.status}: {job.done:,} events re-classified in "
                f"{time.monotonic() - started:.1f} s."
            )
