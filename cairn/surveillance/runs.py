"""`cairn surveillance run`: the scheduled surveillance run (counts, detection, alerts)."""

from django.core.management.base import CommandError

HELP = "Run surveillance now: refresh counts, detect aberrations, raise and send alerts"


def add_arguments(parser) -> None:
    pass


def handle(command, options) -> None:
    raise CommandError(f"{HELP}: not built yet.")
