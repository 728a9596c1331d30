"""`cairn check-language [FILE ...]`: person-first language, from the command line.

- With files (or `-` for standard input): each text through the checker with the current
  term list; one line per finding (`file:line: 'words' (term) → 'suggestion': reason`).
- Without: Cairn's own user-facing text, as tests/test_language_of_cairn.py reads it
  (terms to consider listed with `-v 2`).

Exits 1 when a term to avoid is found (terms to consider are printed, never failing), so
it can run before a commit or in CI.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cairn.campaigns.language.checker import check_text
from cairn.campaigns.language.own_text import Hit, scan, scan_shipped_data


class Command(BaseCommand):
    help = "Check texts (or Cairn's own text) for stigmatizing language."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="text files; '-' reads standard input")
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="use the list Cairn ships, not the database's current version",
        )

    def handle(self, *args, files, shipped, **options):
        terms = None
        if not shipped:
            from cairn.campaigns.language.terms import current_rules

            terms = current_rules()
        if files:
            hits = []
            for name in files:
                try:
                    text = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    raise CommandError(f"{name}: cannot read it ({error}).") from None
                for finding in check_text(text, terms):
                    line = text.count("\n", 0, finding.start) + 1
                    hits.append(Hit(name, line, text, finding))
        else:
            root = Path(settings.BASE_DIR)
            hits = scan(root, terms) + scan_shipped_data(root, terms)
        avoid = [h for h in hits if h.finding.severity == "avoid"]
        consider = len(hits) - len(avoid)
        # Cairn's own text says "overdose" everywhere: its considerations only when asked (-v 2).
        shown = hits if files or options["verbosity"] >= 2 else avoid
        for hit in shown:
            self.stdout.write(f"{hit.describe()} [{hit.finding.severity}]")
        self.stdout.write(
            f"{len(avoid)} term{'s' if len(avoid) != 1 else ''} to change, {consider} to consider."
        )
        if avoid:
            sys.exit(1)
