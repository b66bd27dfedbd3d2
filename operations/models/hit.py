"""A hit: a seizure (or database match, or suspicious shipment) reported during an
operation, with its items, its shipment and the actors involved.

Identifiers (containers, air waybills, postal items, phones, documents, ...) are also
written to :class:`HitIdentifier` in canonical form, for deconfliction and analysis.
"""

from django.conf import settings
from django.db import models

from operations.commodities import Commodity, CommodityGroup, Unit
from operations.models.operation import Marking


class ModeOfTransport(models.TextChoices):
    """UN/ECE Recommendation 19 modes, with express courier and general aviation apart."""

    NOT_STATED = "not_stated", "Mode not stated (0)"
    MARITIME = "maritime", "Maritime (1)"
    RAIL = "rail", "Rail (2)"
    ROAD = "road", "Road (3)"
    AIR = "air", "Air, commercial (4)"
    GENERAL_AVIATION = "general_aviation", "Air, general aviation (4)"
    MAIL = "mail", "Mail (5)"
    EXPRESS_COURIER = "express_courier", "Express courier (5)"
    MULTIMODAL = "multimodal", "Multimodal (6)"
    FIXED_INSTALLATION = "fixed_installation", "Fixed transport installation (7)"
    INLAND_WATER = "inland_water", "Inland water (8)"

    @property
    def rec19_code(self) -> int:
        return int(self.label[-2])


class Hit(models.Model):
    class Kind(models.TextChoices):
        SEIZURE = "seizure", "Seizure"
        DATABASE_MATCH = "database_match", "Database or watch-list match"
        SUSPICIOUS_SHIPMENT = "suspicious_shipment", "Suspicious shipment"

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"
        AMENDED = "amended", "Amended"

    class LocationType(models.TextChoices):
        AIRPORT = "airport", "Airport"
        SEAPORT = "seaport", "Seaport"
        LAND_BORDER = "land_border", "Land border"
        MAIL_CENTRE = "mail_centre", "Mail centre"
        EXPRESS_COURIER_HUB = "express_courier_hub", "Express courier hub"
        AIRSTRIP = "airstrip", "Airstrip"
        INLAND = "inland", "Inland"

    class DetectionMethod(models.TextChoices):
        RISK_PROFILING = "risk_profiling", "Risk profiling"
        INTELLIGENCE = "intelligence", "Intelligence"
        RANDOM_CHECK = "random_check", "Random check"
        XRAY_SCANNER = "xray_scanner", "X-ray or scanner"
        DETECTOR_DOG = "detector_dog", "Detector dog"
        OTHER = "other", "Other"

    operation = models.ForeignKey(
        "operations.Operation", on_delete=models.PROTECT, related_name="hits"
    )
    participation = models.ForeignKey(
        "operations.Participation", on_delete=models.PROTECT, related_name="hits"
    )
    reporting_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    client_id = models.UUIDField(
        help_text="Made by the reporting user's client; a retry never makes a second hit."
    )
    fingerprint = models.CharField(
        max_length=64,
        editable=False,
        help_text="SHA-256 of the canonical report, to tell retries from conflicts.",
    )
    sequence = models.PositiveIntegerField(help_text="Per operation, increasing without gaps.")
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.SEIZURE)
    occurred_at = models.DateTimeField()
    country = models.CharField(max_length=2)
    place = models.CharField(max_length=200, blank=True)
    location_code = models.CharField(max_length=5, blank=True)
    location_type = models.CharField(max_length=24, choices=LocationType.choices)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    mode_of_transport = models.CharField(max_length=24, choices=ModeOfTransport.choices)
    detection_method = models.CharField(max_length=24, choices=DetectionMethod.choices)
    concealment = models.CharField(max_length=500, blank=True)
    arrests = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    marking = models.CharField(max_length=16, choices=Marking.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REPORTED)
    version = models.PositiveIntegerField(default=1)
    review_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["operation", "sequence"]
        constraints = [
            # A client id is the reporting user's: reusing someone else's tells nothing.
            models.UniqueConstraint(
                fields=["operation", "reported_by", "client_id"], name="hit_client_id_once_per_user"
            ),
            models.UniqueConstraint(fields=["operation", "sequence"], name="hit_sequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.operation_id}#{self.sequence}"


class HitItem(models.Model):
    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="items")
    commodity = models.CharField(max_length=32, choices=Commodity.choices)
    commodity_group = models.CharField(
        max_length=16, choices=CommodityGroup.choices, editable=False
    )
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    kilograms = models.DecimalField(
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Kilogram equivalent, where the unit is one of mass.",
    )
    hs_code = models.CharField(max_length=10, blank=True, help_text="Harmonized System code.")
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["hit", "id"]
        constraints = [
            models.CheckConstraint(
                name="hit_item_quantity_positive", condition=models.Q(quantity__gt=0)
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.commodity}"


class Shipment(models.Model):
    hit = models.OneToOneField(Hit, on_delete=models.CASCADE, related_name="shipment")
    container_number = models.CharField(max_length=11, blank=True, help_text="ISO 6346.")
    air_waybill = models.CharField(max_length=11, blank=True, help_text="IATA air waybill.")
    postal_item = models.CharField(max_length=13, blank=True, help_text="UPU S10.")
    bill_of_lading = models.CharField(max_length=35, blank=True)
    imo_number = models.CharField(max_length=7, blank=True, help_text="IMO ship number.")
    flight_number = models.CharField(max_length=8, blank=True)
    aircraft_registration = models.CharField(max_length=10, blank=True)
    vehicle_plate = models.CharField(max_length=35, blank=True)
    departure_country = models.CharField(max_length=2, blank=True)
    transit_countries = models.JSONField(default=list, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)

    def __str__(self) -> str:
        return f"shipment of {self.hit}"


class Actor(models.Model):
    """A person or organisation in a hit: nominal data, seen only by the reporting agency
    and the coordinators."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    class Role(models.TextChoices):
        CONSIGNOR = "consignor", "Consignor"
        CONSIGNEE = "consignee", "Consignee"
        COURIER = "courier", "Courier or passenger"
        PILOT = "pilot", "Pilot"
        OWNER = "owner", "Owner"
        FORWARDER = "forwarder", "Forwarder"
        DECLARANT = "declarant", "Declarant"

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="actors")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    role = models.CharField(max_length=16, choices=Role.choices)
    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True)
    nationality = models.CharField(max_length=2, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    registration_number = models.CharField(
        max_length=64, blank=True, help_text="Company registration, for organisations."
    )
    documents = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"kind": "passport", "number": "...", "country": "XX"}]',
    )
    addresses = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True, help_text="E.164.")
    emails = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["hit", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class HitIdentifier(models.Model):
    """One canonical identifier found in a hit, indexed for look-ups across hits."""

    class Kind(models.TextChoices):
        CONTAINER = "container", "Container"
        AIR_WAYBILL = "air_waybill", "Air waybill"
        POSTAL_ITEM = "postal_item", "Postal item"
        BILL_OF_LADING = "bill_of_lading", "Bill of lading"
        IMO = "imo", "IMO number"
        FLIGHT = "flight", "Flight"
        AIRCRAFT = "aircraft", "Aircraft"
        VEHICLE = "vehicle", "Vehicle"
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        DOCUMENT = "document", "Identity document"
        REGISTRATION = "registration", "Company registration"

    NOMINAL = frozenset({Kind.PHONE, Kind.EMAIL, Kind.DOCUMENT, Kind.REGISTRATION})
    DECONFLICTED = frozenset(
        {Kind.CONTAINER, Kind.AIR_WAYBILL, Kind.POSTAL_ITEM, Kind.PHONE, Kind.DOCUMENT}
    )

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=255)

    class Meta:
        # The latest hits naming an identifier, read backwards and stopped at a bound
        # (deconfliction); also every look-up by (kind, value).
        indexes = [models.Index(fields=["kind", "value", "hit"], name="hit_identifier_latest")]
        constraints = [
            models.UniqueConstraint(fields=["hit", "kind", "value"], name="hit_identifier_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class HitRevision(models.Model):
    """The full content of a hit at each version: amendments keep the history."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    reason = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hit", "version"]
        constraints = [models.UniqueConstraint(fields=["hit", "version"], name="hit_revision_once")]

    def __str__(self) -> str:
        return f"{self.hit} v{self.version}"
