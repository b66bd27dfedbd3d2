from django.db import transaction
from django.utils import timezone

from agencies.models import ApiToken, User
from audit.services import audit_record
from operations import events


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
    """Revoke `token`; websockets opened with it close once this commits."""
    with transaction.atomic():
        token.revoke()
        audit_record(
            actor=actor or token.user,
            action="api_token.revoke",
            instance=token,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
        events.broadcast_to_user_on_commit(token.user_id)
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    return api_token_user(digest=ApiToken.digest_of(raw), record_use=True)


def api_token_user(*, digest: str, record_use: bool = False) -> User | None:
    """The active user of the token with this digest, freshly read, or None once the token
    is revoked or deleted or its user deactivated. Connections that keep the digest (not
    the token) re-check it with this while they stay open (websockets)."""
    token = (
        ApiToken.objects.select_related("user", "user__agency")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if record_use and (
        token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Deactivate an account: no more logins, sessions or tokens, and its open websockets
    close once this commits. Deactivating an inactive account changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="user.deactivate",
        instance=user,
        before={"is_active": True},
        after={"is_active": False},
    )
    events.broadcast_to_user_on_commit(user.pk)
    return user


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
