import hashlib
import secrets
import zoneinfo

import pycountry
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agencies import signals
from agencies.error_codes import AgencyErrorCode


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone (for example Europe/Brussels).",
            code=AgencyErrorCode.INVALID_TIME_ZONE,
            params={"value": value},
        )


def validate_country_code(value: str) -> None:
    """Accept an ISO 3166-1 alpha-2 code (upper case), reject anything else."""
    if value and (value != value.upper() or pycountry.countries.get(alpha_2=value) is None):
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code.",
            code=AgencyErrorCode.INVALID_COUNTRY,
            params={"value": value},
        )


class Agency(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
        CUSTOMS = "customs", "Customs"
        POLICE = "police", "Police"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2; empty for international organisations.",
    )
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="agency", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acronym"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                name="agency_country_matches_kind",
                condition=(
                    models.Q(kind="international_organisation", country="")
                    | (~models.Q(kind="international_organisation") & ~models.Q(country=""))
                ),
                violation_error_code=AgencyErrorCode.INVALID_COUNTRY,
                violation_error_message=(
                    "International organisations have no country; every other agency has one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    def save(self, *args, **kwargs):
        # The agency's group carries its object permissions; it is created with the agency.
        with transaction.atomic():
            if self.group_id is None:
                self.group = Group.objects.create(name=f"agency:{self.acronym}")
            elif self.group.name != f"agency:{self.acronym}":
                Group.objects.filter(pk=self.group_id).update(name=f"agency:{self.acronym}")
            super().save(*args, **kwargs)

    @property
    def country_name(self) -> str:
        country = pycountry.countries.get(alpha_2=self.country) if self.country else None
        return country.name if country else ""


class User(AbstractUser):
    """A person using JointOps; belongs to one agency (platform administrators may have none)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone in which this person reads times.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Membership of the agency group follows the agency field, whoever saves the user.
        previous_agency_id = None
        if self.pk is not None:
            previous_agency_id = (
                User.objects.filter(pk=self.pk).values_list("agency_id", flat=True).first()
            )
        # Django's own mark of a password set (set_password), which save() clears; not set
        # when a login only re-hashes the same password with a newer hasher.
        password_changed = self.pk is not None and self._password is not None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                signals.password_changed.send(sender=User, user=self)
            if previous_agency_id != self.agency_id or (
                self.agency_id and not self.groups.filter(agency__id=self.agency_id).exists()
            ):
                self.groups.remove(*Group.objects.filter(agency__isnull=False))
                if self.agency_id:
                    self.groups.add(self.agency.group)


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 digest is stored."""

    PREFIX = "jo_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell tokens apart."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.hint}… ({'revoked' if self.revoked_at else 'active'})"

    @staticmethod
    def digest_of(raw: str) -> str:
        # (surrogatepass: text that is not Unicode, e.g. a lone surrogate sent in JSON,
        # still has a digest, which matches no token)
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
