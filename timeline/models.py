from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from operations.locations import validate_location_code
from timeline.error_codes import TimeWindowErrorCode


def _check_range(value, limit: int, what: str) -> None:
    if value is not None and not -limit <= value <= limit:
        raise ValidationError(
            f"{what} must lie between -{limit} and {limit}.",
            code=TimeWindowErrorCode.INVALID_COORDINATES,
        )


def validate_latitude(value) -> None:
    _check_range(value, 90, "Latitude")


def validate_longitude(value) -> None:
    _check_range(value, 180, "Longitude")


class TimeWindow(models.Model):
    """A phase of an operation, or a control window (shift) of one participant at one place.

    Times are aware and stored in UTC; they are shown in the operation's time zone.
    Deleting a window marks it deleted (calendars must announce the cancellation).
    """

    class Kind(models.TextChoices):
        PLANNING = "planning", "Planning phase"
        BRIEFING = "briefing", "Briefing phase"
        OPERATIONAL = "operational", "Operational phase"
        FOLLOW_UP = "follow_up", "Follow-up phase"
        CONTROL = "control", "Control window"

    PHASES = (Kind.PLANNING, Kind.BRIEFING, Kind.OPERATIONAL, Kind.FOLLOW_UP)

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.CASCADE, related_name="time_windows"
    )
    participation = models.ForeignKey(
        "operations.Participation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_windows",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location_code = models.CharField(
        max_length=5,
        blank=True,
        validators=[validate_location_code],
        help_text="UN/LOCODE, IATA or ICAO code.",
    )
    location_name = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
    )
    notes = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0, help_text="Grows on every change.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["operation", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="time_window_end_after_start",
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                violation_error_code=TimeWindowErrorCode.END_BEFORE_START,
                violation_error_message="The end must be after the start.",
            ),
            models.CheckConstraint(
                name="time_window_coordinates_in_pairs",
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                violation_error_code=TimeWindowErrorCode.INVALID_COORDINATES,
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}Z"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {
                    "ends_at": ValidationError(
                        "The end must be after the start.",
                        code=TimeWindowErrorCode.END_BEFORE_START,
                    )
                }
            )
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                {
                    "latitude": ValidationError(
                        "Give both latitude and longitude, or neither.",
                        code=TimeWindowErrorCode.INVALID_COORDINATES,
                    )
                }
            )

    @property
    def is_phase(self) -> bool:
        return self.kind in self.PHASES


class CalendarFeedToken(models.Model):
    """A user's secret for calendar subscriptions (Outlook, Google, Apple Calendar).

    The token is derived from the server's SECRET_KEY and a per-user nonce, so the feed
    URL can be shown to its owner again; only its SHA-256 digest is stored for look-up.
    Rotating draws a new nonce (the old URL stops working); revoking ends the feed.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    nonce = models.CharField(max_length=64, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user} ({'revoked' if self.revoked_at else 'active'})"
