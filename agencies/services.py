from django.db import transaction
from django.utils import timezone

from agencies.models import ApiToken, User
from audit.services import audit_record


def api_token_create(
    *, user: User, name: str = "", actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with the raw secret, which is shown only once."""
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, digest=ApiToken.digest_of(raw), hint=raw[:8]
        )
        audit_record(
            actor=actor or user,
            action="api_token.create",
            instance=token,
            after={"user": user.username, "name": name, "hint": token.hint},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    with transaction.atomic():
        token.revoke()
        audit_record(
            actor=actor or token.user,
            action="api_token.revoke",
            instance=token,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user", "user__agency")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_update_preferences(*, user: User, time_zone: str | None = None) -> User:
    before = {"time_zone": user.time_zone}
    if time_zone is not None:
        user.time_zone = time_zone
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["time_zone"])
    audit_record(
        actor=user,
        action="user.preferences",
        instance=user,
        before=before,
        after={"time_zone": user.time_zone},
    )
    return user
