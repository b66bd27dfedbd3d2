from django.core.management.base import BaseCommand, CommandError

from agencies.models import ApiToken, User
from agencies.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored hashed, shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Revoke the user's earlier tokens of the same name (one token per purpose).",
        )

    def handle(self, *args, username, name, replace, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if replace:
            for token in ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True):
                api_token_revoke(token=token)
        token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
