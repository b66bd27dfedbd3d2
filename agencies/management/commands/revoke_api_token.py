from django.core.management.base import BaseCommand, CommandError

from agencies.models import ApiToken
from agencies.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke an API token, given the token itself or its hint (first 8 characters)."

    def add_arguments(self, parser):
        parser.add_argument("token_or_hint")

    def handle(self, *args, token_or_hint, **options):
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        matches = list(tokens.filter(digest=ApiToken.digest_of(token_or_hint))) or list(
            tokens.filter(hint=token_or_hint)
        )
        if len(matches) != 1:
            raise CommandError(f"{len(matches)} active tokens match; give the whole token.")
        api_token_revoke(token=matches[0])
        self.stdout.write(f"Revoked {matches[0].hint}… of {matches[0].user.username}.")
