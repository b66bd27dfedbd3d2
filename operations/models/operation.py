import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import validate_time_zone
from operations.error_codes import OperationErrorCode
from operations.locations import validate_location_code

# Places one agency covers in one operation: its airports, ports and mail centres.
MAX_LOCATIONS = 50


def validate_locations(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError("Locations are a list of codes.", code=OperationErrorCode.INVALID)
    if len(value) > MAX_LOCATIONS:
        raise ValidationError(
            f"At most {MAX_LOCATIONS} locations.", code=OperationErrorCode.TOO_MANY
        )
    for code in value:
        validate_location_code(code)


class Marking(models.TextChoices):
    """Traffic Light Protocol 2.0, from the widest audience to the narrowest."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER_STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class Operation(models.Model):
    class Focus(models.TextChoices):
        DRUGS = "drugs", "Drugs"
        PRECURSORS = "precursors", "Precursors"
        GENERAL_AVIATION = "general_aviation", "General aviation"
        POSTAL_AND_COURIER = "postal_and_courier", "Postal and courier"
        CONTAINERS = "containers", "Containers"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"
        CANCELLED = "cancelled", "Cancelled"

    code = models.CharField(
        max_length=32,
        db_index=True,
        help_text="Unique among the operations you can see; operations you cannot all see may share a code.",
        validators=[
            RegexValidator(
                re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}[A-Z0-9]$"),
                "Use 3 to 32 upper-case letters, digits and hyphens (for example COLIBRI-2026).",
                code=OperationErrorCode.INVALID_CODE,
            )
        ],
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    focus = models.CharField(max_length=32, choices=Focus.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    lead_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="led_operations"
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_operations"
    )
    analysts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="analysed_operations",
        help_text="Users of taking-part agencies named by the coordinators to analyse the hits.",
    )
    planned_start = models.DateTimeField()
    planned_end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_marking = models.CharField(
        max_length=16, choices=Marking.choices, default=Marking.AMBER
    )
    accept_late_reports = models.BooleanField(
        default=False, help_text="Coordinators allow hits reported after their window closed."
    )
    last_hit_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="Sequence number of the latest hit (gap-free)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-planned_start", "code"]
        permissions = [
            ("coordinate_operation", "Coordinate the operation"),
            ("report_hit", "Report hits in the operation"),
            ("analyse_operation", "Analyse the operation"),
        ]
        constraints = [
            models.CheckConstraint(
                name="operation_end_after_start",
                condition=models.Q(planned_end__gt=models.F("planned_start")),
                violation_error_code=OperationErrorCode.END_BEFORE_START,
                violation_error_message="The planned end must be after the planned start.",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError(
                {
                    "planned_end": ValidationError(
                        "The planned end must be after the planned start.",
                        code=OperationErrorCode.END_BEFORE_START,
                    )
                }
            )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Participation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        PARTICIPANT = "participant", "Participant"
        OBSERVER = "observer", "Observer"

    class State(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="participations"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTICIPANT)
    state = models.CharField(max_length=16, choices=State.choices, default=State.INVITED)
    contacts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    locations = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_locations],
        help_text="UN/LOCODE, IATA or ICAO codes of the places this agency covers.",
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    summary_when_left = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The operation's summary when the agency declined or withdrew: all it "
        "may still read of the operation (see operations.selectors.operation_summary).",
    )

    class Meta:
        ordering = ["operation", "agency__acronym"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "agency"],
                name="one_participation_per_agency",
                violation_error_code=OperationErrorCode.ALREADY_PARTICIPATING,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} in {self.operation}"


class OperationUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table for users' permissions on operations."""

    content_object = models.ForeignKey(Operation, on_delete=models.CASCADE)


class OperationGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct foreign-key table for agency groups' permissions on operations."""

    content_object = models.ForeignKey(Operation, on_delete=models.CASCADE)
