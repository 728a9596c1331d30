"""`cairn issue-api-token USERNAME --name NAME`: a bearer token for a partner system."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cairn.access.tokens import issue_api_token


class Command(BaseCommand):
    help = "Issue an API token acting as USERNAME; the token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What will use it.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user is called {options['username']!r}.")
        _, raw = issue_api_token(actor="command line", user=user, name=options["name"])
        self.stdout.write(raw)
