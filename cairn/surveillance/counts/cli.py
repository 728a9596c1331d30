"""`cairn surveillance counts`: rebuild or refresh the incremental counts."""

from django.core.management.base import CommandError

HELP = "Rebuild or refresh the counts per community, day, definition and source"


def add_arguments(parser) -> None:
    pass


def handle(command, options) -> None:
    raise CommandError(f"{HELP}: not built yet.")
