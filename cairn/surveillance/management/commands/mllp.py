"""`cairn mllp --host 127.0.0.1 --port 2575`: receive HL7 v2 ADT messages over MLLP."""

import logging

from django.core.management.base import BaseCommand

from cairn.surveillance.intake.hl7 import server


class Command(BaseCommand):
    help = "Listen for HL7 v2 ADT messages over MLLP; ACK each one after it is committed."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2575)
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Listener processes sharing the port (SO_REUSEPORT), each with its own "
            "database connection; use up to the number of cores (default 1).",
        )

        parser.add_argument(
            "--committers",
            type=int,
            default=server.COMMITTERS,
            help="Batches each process stores at once, each on its own database connection "
            f"(default {server.COMMITTERS}).",
        )

    def handle(self, *args, host: str, port: int, processes: int, committers: int, **options):
        logging.basicConfig(
            level=logging.INFO if options["verbosity"] >= 1 else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        self.stdout.write(f"mllp: listening on {host}:{port} (Ctrl-C or SIGTERM to stop)")
        server.run(host, port, processes=processes, committers=committers)
        self.stdout.write("mllp: stopped")
