"""`cairn cases rebuild-keys`: recompute every active client's blocking keys.

Run it after a change to the keys in `cairn.cases.matching` (new kinds of key, another
phonetic code): clients keep the keys they were saved with until then, and the
duplicate check and search would miss what only the new keys find.
"""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from tqdm import tqdm

from cairn.cases import actions
from cairn.cases.models import Client, RecordStatus

BATCH = 1_000


class Command(BaseCommand):
    help = "Case management maintenance: rebuild the clients' blocking keys."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        commands.add_parser("rebuild-keys", help="Recompute every active client's match keys.")

    def handle(self, *args, subcommand: str, **options) -> None:
        started = time.monotonic()
        active = Client.objects.filter(status=RecordStatus.ACTIVE).order_by("pk")
        total = active.count()
        keys = 0
        last = 0
        with tqdm(total=total, unit="client", disable=total < BATCH) as progress:
            while True:
                batch = list(active.filter(pk__gt=last)[:BATCH])
                if not batch:
                    break
                with transaction.atomic():
                    for client in batch:
                        keys += actions.refresh_match_keys(client)
                last = batch[-1].pk
                progress.update(len(batch))
        self.stdout.write(
            f"Rebuilt {keys:,} match keys for {total:,} clients in "
            f"{time.monotonic() - started:.1f} s."
        )
