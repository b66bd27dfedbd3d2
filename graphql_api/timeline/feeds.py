"""Calendar feed URLs and the mutations that manage the feed token."""

import graphene
from django.urls import reverse

from graphql_api.core.mutations import BaseMutation
from timeline.services import calendar_token_of, calendar_token_revoke, calendar_token_rotate

_TOKEN_ATTR = "_jointops_calendar_token"


def feed_url(request, name: str, token: str | None = None, **kwargs) -> str | None:
    """Absolute URL of a feed with the viewer's token (looked up once per request)."""
    if token is None:
        if not hasattr(request, _TOKEN_ATTR):
            setattr(request, _TOKEN_ATTR, calendar_token_of(request.user))
        token = getattr(request, _TOKEN_ATTR)
    if token is None:
        return None
    return request.build_absolute_uri(f"{reverse(name, kwargs=kwargs)}?token={token}")


class RotateCalendarToken(BaseMutation):
    """A new calendar feed token: every earlier feed URL of mine stops working."""

    calendar_feed_url = graphene.String(description="My feed, /calendar/me.ics with the new token.")

    @classmethod
    def perform(cls, info):
        token = calendar_token_rotate(user=info.context.user)
        return {"calendar_feed_url": feed_url(info.context, "calendar-me", token=token)}


class RevokeCalendarToken(BaseMutation):
    """End my calendar feeds: their URLs answer 403 until I rotate a new token."""

    @classmethod
    def perform(cls, info):
        calendar_token_revoke(user=info.context.user)
        if hasattr(info.context, _TOKEN_ATTR):
            delattr(info.context, _TOKEN_ATTR)
        return {}


class CalendarMutations(graphene.ObjectType):
    rotate_calendar_token = RotateCalendarToken.Field()
    revoke_calendar_token = RevokeCalendarToken.Field()
