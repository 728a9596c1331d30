"""`cairn surveillance detect`: aberration detection on a CSV series."""

from django.core.management.base import CommandError

HELP = "Run an aberration-detection method over a CSV series"


def add_arguments(parser) -> None:
    pass


def handle(command, options) -> None:
    raise CommandError(f"{HELP}: not built yet.")
