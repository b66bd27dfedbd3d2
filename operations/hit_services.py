"""Reporting, amending and reviewing hits.

A report is cleaned into a canonical form (identifiers normalised, check digits
verified, quantities converted), fingerprinted, and stored in one transaction with
its next per-operation sequence number, its first revision and its audit event; the
live event leaves after commit. A retry with the same ``client_id`` and the same
content returns the stored hit; different content under the same id is refused. A
client id belongs to its reporting user: another user's reuse of it is a new hit, so
nobody learns from it that someone else's hit exists.
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.services import audit_record
from operations import events, identifiers, permissions, selectors
from operations.commodities import (
    GROUP_OF,
    MAX_COUNT,
    MAX_KILOGRAMS,
    Commodity,
    CommodityGroup,
    Unit,
    kilograms,
)
from operations.error_codes import OperationErrorCode as Code
from operations.locations import location_code_kind
from operations.models import (
    Actor,
    Hit,
    HitIdentifier,
    HitItem,
    HitRevision,
    Marking,
    Operation,
    Shipment,
)
from operations.models.hit import ModeOfTransport

# A device clock a little ahead of ours is not an error; more than this is.
CLOCK_SKEW = timedelta(minutes=5)
# What one report may hold: beyond any real seizure, within what the database and the
# analysis handle. Longer texts and longer lists are refused (TOO_LONG, TOO_MANY), never cut.
MAX_PER_REPORT = {"items": 50, "actors": 50, "transit_countries": 10}
MAX_PER_ACTOR = 20  # aliases, documents, addresses, phones and e-mails, each
MAX_NOTES = 10_000
# Beyond any seizure in any unit, and beyond what the database holds (16 digits, 3 decimals).
MAX_QUANTITY = Decimal("1e13")
# At most this many other hits are named by a deconfliction hint, chosen among the
# latest LATEST_CANDIDATES hits sharing an identifier (some may not be the reporter's to see).
MAX_MATCHES = 20
LATEST_CANDIDATES = MAX_MATCHES * 4
# Statuses of the operation in which hits may be amended (reports need ACTIVE).
AMENDABLE_OPERATION_STATUSES = frozenset({Operation.Status.ACTIVE, Operation.Status.CLOSED})

Kind = HitIdentifier.Kind
SHIPMENT_IDENTIFIERS = {
    "container_number": (identifiers.normalise_container, Kind.CONTAINER),
    "air_waybill": (identifiers.normalise_air_waybill, Kind.AIR_WAYBILL),
    "postal_item": (identifiers.normalise_postal_item, Kind.POSTAL_ITEM),
    "bill_of_lading": (identifiers.normalise_free_identifier, Kind.BILL_OF_LADING),
    "imo_number": (identifiers.normalise_imo, Kind.IMO),
    "flight_number": (identifiers.normalise_flight_number, Kind.FLIGHT),
    "aircraft_registration": (identifiers.normalise_aircraft_registration, Kind.AIRCRAFT),
    "vehicle_plate": (identifiers.normalise_free_identifier, Kind.VEHICLE),
}
HIT_FIELDS = [
    "kind",
    "occurred_at",
    "country",
    "place",
    "location_code",
    "location_type",
    "latitude",
    "longitude",
    "mode_of_transport",
    "detection_method",
    "concealment",
    "arrests",
    "notes",
    "marking",
]


@dataclass
class DeconflictionMatch:
    """An identifier of the new hit that another hit, visible to the reporter, has too."""

    kind: str
    value: str
    operation_code: str
    sequence: int
    same_operation: bool


@dataclass
class HitReport:
    hit: Hit
    created: bool
    matches: list[DeconflictionMatch] = field(default_factory=list)


class _Errors:
    """Collects errors by input path (``items.0.quantity``) and raises them together."""

    def __init__(self):
        self.by_path: dict[str, list[ValidationError]] = {}

    def add(self, path: str, message: str, code: Code) -> None:
        self.by_path.setdefault(path, []).append(ValidationError(message, code=code))

    def run(self, path: str, normalise, value, *args):
        try:
            return normalise(value, *args)
        except ValidationError as exc:
            self.by_path.setdefault(path, []).extend(exc.error_list)
            return None

    def raise_any(self) -> None:
        if self.by_path:
            raise ValidationError(self.by_path)


# --- cleaning ----------------------------------------------------------------------


def _choice(errors: _Errors, path: str, value, choices, *, required=True):
    if value in (None, ""):
        if required:
            errors.add(path, "This field is required.", Code.REQUIRED)
        return ""
    if value not in choices.values:
        errors.add(path, f"{value} is not one of {', '.join(choices.values)}.", Code.INVALID)
        return ""
    return value


def _text(errors: _Errors, path: str, value, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors.add(path, f"At most {limit} characters.", Code.TOO_LONG)
    return text


def _many(errors: _Errors, path: str, values, limit: int) -> list:
    """`values` (a list), or none of them when there are more than `limit`."""
    values = list(values or [])
    if len(values) > limit:
        errors.add(path, f"At most {limit}.", Code.TOO_MANY)
        return []
    return values


def _decimal(errors: _Errors, path: str, value, low, high):
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(path, "Not a number.", Code.INVALID)
        return None
    if not low <= number <= high:
        errors.add(path, f"Must lie between {low} and {high}.", Code.INVALID)
        return None
    return str(number.quantize(Decimal("0.000001")))


def _clean_item(errors: _Errors, path: str, item: dict) -> dict:
    commodity = _choice(errors, f"{path}.commodity", item.get("commodity"), Commodity)
    unit = _choice(errors, f"{path}.unit", item.get("unit"), Unit)
    quantity = item.get("quantity")
    kilos = canonical = None
    try:
        quantity = Decimal(str(quantity)) if quantity is not None else None
    except InvalidOperation:
        quantity = None
    if quantity is None:
        errors.add(f"{path}.quantity", "Give the quantity as a number.", Code.REQUIRED)
    elif not quantity.is_finite():
        errors.add(f"{path}.quantity", "Give a finite number.", Code.INVALID_QUANTITY)
    elif quantity <= 0:
        errors.add(
            f"{path}.quantity", "The quantity must be more than zero.", Code.INVALID_QUANTITY
        )
    elif quantity >= MAX_QUANTITY:
        errors.add(
            f"{path}.quantity", f"{quantity} is implausible; check the unit.", Code.ABSURD_QUANTITY
        )
    elif quantity != quantity.quantize(Decimal("0.001")):
        errors.add(f"{path}.quantity", "At most three decimals.", Code.INVALID_QUANTITY)
    else:
        canonical = str(quantity.quantize(Decimal("0.001")))
        if unit:
            kilos = kilograms(quantity, unit)
            amount, limit = (quantity, MAX_COUNT) if kilos is None else (kilos, MAX_KILOGRAMS)
            if amount > limit:
                errors.add(
                    f"{path}.quantity",
                    f"{quantity} {unit} is implausible; check the unit.",
                    Code.ABSURD_QUANTITY,
                )
    hs_code = re.sub(r"[\s.]", "", item.get("hs_code") or "")
    if hs_code and not re.fullmatch(r"\d{6}(\d{2}){0,2}", hs_code):
        errors.add(f"{path}.hs_code", "An HS code has 6, 8 or 10 digits.", Code.INVALID_HS_CODE)
    if commodity and GROUP_OF[commodity] == CommodityGroup.PRECURSORS and not hs_code:
        errors.add(f"{path}.hs_code", "Precursors need their HS code.", Code.HS_CODE_REQUIRED)
    return {
        "commodity": commodity,
        "quantity": canonical,
        "unit": unit,
        "kilograms": str(kilos) if kilos is not None else None,
        "hs_code": hs_code,
        "description": _text(errors, f"{path}.description", item.get("description"), 500),
    }


def _clean_shipment(errors: _Errors, shipment: dict | None) -> dict | None:
    if not shipment:
        return None
    cleaned = {}
    for name, (normalise, _) in SHIPMENT_IDENTIFIERS.items():
        value = shipment.get(name)
        cleaned[name] = (errors.run(f"shipment.{name}", normalise, value) or "") if value else ""
    for name in ("departure_country", "destination_country"):
        value = shipment.get(name)
        cleaned[name] = (
            (errors.run(f"shipment.{name}", identifiers.normalise_country, value) or "")
            if value
            else ""
        )
    cleaned["transit_countries"] = [
        errors.run(f"shipment.transit_countries.{i}", identifiers.normalise_country, value) or ""
        for i, value in enumerate(
            _many(
                errors,
                "shipment.transit_countries",
                shipment.get("transit_countries"),
                MAX_PER_REPORT["transit_countries"],
            )
        )
    ]
    return cleaned


def _clean_actor(errors: _Errors, path: str, actor: dict, region: str) -> dict:
    name = _text(errors, f"{path}.name", actor.get("name"), 300)
    if not name:
        errors.add(f"{path}.name", "This field is required.", Code.REQUIRED)
    nationality = actor.get("nationality") or ""
    if nationality:
        nationality = (
            errors.run(f"{path}.nationality", identifiers.normalise_country, nationality) or ""
        )
    date_of_birth = actor.get("date_of_birth")
    if (
        isinstance(date_of_birth, date)
        and not date(1900, 1, 1) <= date_of_birth <= timezone.now().date()
    ):
        errors.add(f"{path}.date_of_birth", "Not a plausible date of birth.", Code.INVALID)
    documents = []
    for i, document in enumerate(
        _many(errors, f"{path}.documents", actor.get("documents"), MAX_PER_ACTOR)
    ):
        number = errors.run(
            f"{path}.documents.{i}.number",
            identifiers.normalise_free_identifier,
            document.get("number"),
        )
        country = document.get("country") or ""
        if country:
            country = (
                errors.run(f"{path}.documents.{i}.country", identifiers.normalise_country, country)
                or ""
            )
        documents.append(
            {
                "kind": _text(errors, f"{path}.documents.{i}.kind", document.get("kind"), 32)
                or "passport",
                "number": number or "",
                "country": country,
            }
        )
    return {
        "kind": _choice(errors, f"{path}.kind", actor.get("kind"), Actor.Kind),
        "role": _choice(errors, f"{path}.role", actor.get("role"), Actor.Role),
        "name": name,
        "aliases": sorted(
            {
                alias
                for i, a in enumerate(
                    _many(errors, f"{path}.aliases", actor.get("aliases"), MAX_PER_ACTOR)
                )
                if (alias := _text(errors, f"{path}.aliases.{i}", a, 300))
            }
        ),
        "nationality": nationality,
        "date_of_birth": date_of_birth.isoformat() if isinstance(date_of_birth, date) else None,
        "registration_number": (
            errors.run(
                f"{path}.registration_number",
                identifiers.normalise_free_identifier,
                actor["registration_number"],
            )
            or ""
        )
        if actor.get("registration_number")
        else "",
        "documents": documents,
        "addresses": [
            address
            for i, a in enumerate(
                _many(errors, f"{path}.addresses", actor.get("addresses"), MAX_PER_ACTOR)
            )
            if (address := _text(errors, f"{path}.addresses.{i}", a, 500))
        ],
        "phones": [
            errors.run(f"{path}.phones.{i}", identifiers.normalise_phone, p, region) or ""
            for i, p in enumerate(
                _many(errors, f"{path}.phones", actor.get("phones"), MAX_PER_ACTOR)
            )
        ],
        "emails": [
            errors.run(f"{path}.emails.{i}", identifiers.normalise_email, e) or ""
            for i, e in enumerate(
                _many(errors, f"{path}.emails", actor.get("emails"), MAX_PER_ACTOR)
            )
        ],
    }


def clean_hit(data: dict, operation: Operation) -> dict:
    """The canonical, JSON-ready content of a hit, or a ValidationError listing every fault."""
    errors = _Errors()
    occurred_at = data.get("occurred_at")
    if not isinstance(occurred_at, datetime):
        errors.add("occurred_at", "This field is required.", Code.REQUIRED)
    elif timezone.is_naive(occurred_at):
        errors.add("occurred_at", "Give the time with its UTC offset.", Code.INVALID)
    country = errors.run("country", identifiers.normalise_country, data.get("country") or "") or ""
    location_code = (data.get("location_code") or "").strip().upper()
    if location_code and location_code_kind(location_code) is None:
        errors.add(
            "location_code",
            f"{location_code} is not a UN/LOCODE, IATA or ICAO code.",
            Code.INVALID_LOCATION_CODE,
        )
    latitude = _decimal(errors, "latitude", data.get("latitude"), -90, 90)
    longitude = _decimal(errors, "longitude", data.get("longitude"), -180, 180)
    if (latitude is None) != (longitude is None) and not errors.by_path.get("latitude"):
        errors.add("latitude", "Give both latitude and longitude, or neither.", Code.INVALID)
    arrests = data.get("arrests") or 0
    if not isinstance(arrests, int) or not 0 <= arrests <= 10000:
        errors.add("arrests", "Arrests are a count from 0.", Code.INVALID)
    kind = data.get("kind") or Hit.Kind.SEIZURE
    raw_items = _many(errors, "items", data.get("items"), MAX_PER_REPORT["items"])
    if not data.get("items") and kind == Hit.Kind.SEIZURE:
        errors.add("items", "A seizure needs at least one item.", Code.ITEMS_REQUIRED)
    content = {
        "kind": _choice(errors, "kind", kind, Hit.Kind),
        "occurred_at": occurred_at.astimezone(UTC).isoformat()
        if isinstance(occurred_at, datetime) and timezone.is_aware(occurred_at)
        else None,
        "country": country,
        "place": _text(errors, "place", data.get("place"), 200),
        "location_code": location_code,
        "location_type": _choice(
            errors, "location_type", data.get("location_type"), Hit.LocationType
        ),
        "latitude": latitude,
        "longitude": longitude,
        "mode_of_transport": _choice(
            errors, "mode_of_transport", data.get("mode_of_transport"), ModeOfTransport
        ),
        "detection_method": _choice(
            errors, "detection_method", data.get("detection_method"), Hit.DetectionMethod
        ),
        "concealment": _text(errors, "concealment", data.get("concealment"), 500),
        "arrests": arrests,
        "notes": _text(errors, "notes", data.get("notes"), MAX_NOTES),
        "marking": _choice(
            errors, "marking", data.get("marking") or operation.default_marking, Marking
        ),
        "items": [_clean_item(errors, f"items.{i}", item) for i, item in enumerate(raw_items)],
        "shipment": _clean_shipment(errors, data.get("shipment")),
        "actors": [
            _clean_actor(errors, f"actors.{i}", actor, country or None)
            for i, actor in enumerate(
                _many(errors, "actors", data.get("actors"), MAX_PER_REPORT["actors"])
            )
        ],
    }
    errors.raise_any()
    return content


def fingerprint(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# --- writing -----------------------------------------------------------------------


def content_identifiers(content: dict) -> set[tuple[str, str]]:
    """The canonical identifiers (kind, value) a hit's content names, as indexed in
    HitIdentifier: those of its shipment and the nominal ones of its actors."""
    found: set[tuple[str, str]] = set()
    shipment = content["shipment"]
    if shipment:
        found |= {
            (kind, shipment[name])
            for name, (_, kind) in SHIPMENT_IDENTIFIERS.items()
            if shipment[name]
        }
    for actor in content["actors"]:
        found |= {(Kind.PHONE, p) for p in actor["phones"]} | {
            (Kind.EMAIL, e) for e in actor["emails"]
        }
        found |= {(Kind.DOCUMENT, f"{d['country']}:{d['number']}") for d in actor["documents"]}
        if actor["registration_number"]:
            found.add((Kind.REGISTRATION, f"{actor['nationality']}:{actor['registration_number']}"))
    return found


def _write_content(hit: Hit, content: dict, *, replace: bool) -> None:
    """Write the hit's fields and parts from canonical content (`replace`: drop the old
    parts): one statement per table."""
    for name in HIT_FIELDS:
        value = content[name]
        if name == "occurred_at":
            value = datetime.fromisoformat(value)
        elif name in ("latitude", "longitude") and value is not None:
            value = Decimal(value)
        setattr(hit, name, value)
    hit.save()
    if replace:
        hit.items.all().delete()
        hit.actors.all().delete()
        hit.identifiers.all().delete()
        Shipment.objects.filter(hit=hit).delete()
    HitItem.objects.bulk_create(
        HitItem(
            hit=hit,
            commodity=item["commodity"],
            commodity_group=GROUP_OF[item["commodity"]],
            quantity=Decimal(item["quantity"]),
            unit=item["unit"],
            kilograms=Decimal(item["kilograms"]) if item["kilograms"] else None,
            hs_code=item["hs_code"],
            description=item["description"],
        )
        for item in content["items"]
    )
    if content["shipment"]:
        Shipment.objects.create(hit=hit, **content["shipment"])
    Actor.objects.bulk_create(
        Actor(
            hit=hit,
            **{
                **actor,
                "date_of_birth": date.fromisoformat(actor["date_of_birth"])
                if actor["date_of_birth"]
                else None,
            },
        )
        for actor in content["actors"]
    )
    HitIdentifier.objects.bulk_create(
        HitIdentifier(hit=hit, kind=k, value=v) for k, v in sorted(content_identifiers(content))
    )


def _refusal(field: str, message: str, code: Code) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _not_active() -> ValidationError:
    return _refusal(
        "operation_id",
        "Hits are reported while the operation is active.",
        Code.OPERATION_NOT_ACTIVE,
    )


def _check_reporter(context: selectors.HitReportContext | None) -> None:
    """The answers of permissions.require, from facts read beforehand: somebody who may
    not see the operation is told it was not found, exactly as for a missing one."""
    if context is None or permissions.VIEW not in context.held:
        raise _refusal("operation_id", "Operation not found.", Code.NOT_FOUND)
    if permissions.REPORT_HIT not in context.held:
        raise _refusal(
            "operation_id",
            "You are not allowed to do this in this operation.",
            Code.PERMISSION_DENIED,
        )


def _check_reporting(
    context: selectors.HitReportContext, occurred_at: datetime, now: datetime
) -> None:
    """The operation must be active and the user's agency take part in it as lead or
    participant. The hit must fall in one of the participant's control windows (or,
    when it has none, an operational phase) and be reported before that window closes,
    unless the coordinators accept late reports. Of the windows that cover the time, the
    one that ends last decides (selectors.hit_report_context finds it)."""
    if context.operation.status != Operation.Status.ACTIVE:
        raise _not_active()
    if context.participation_id is None:
        raise _refusal(
            "operation_id",
            "Your agency does not take part in this operation as a reporting participant.",
            Code.NO_PARTICIPATION,
        )
    if occurred_at > now + CLOCK_SKEW:
        raise _refusal("occurred_at", "This time is in the future.", Code.OCCURRED_IN_FUTURE)
    if context.covering_window_end is None:
        raise _refusal(
            "occurred_at", "This time is outside your control windows.", Code.OUTSIDE_WINDOW
        )
    if now > context.covering_window_end and not context.operation.accept_late_reports:
        raise _refusal(
            "occurred_at",
            "The window of this hit has closed; ask a coordinator to accept late reports.",
            Code.LATE_REPORT,
        )


# Refusals of a reporting participant for the time of the hit alone.
WINDOW_REFUSALS = frozenset({Code.OCCURRED_IN_FUTURE, Code.OUTSIDE_WINDOW, Code.LATE_REPORT})


def hit_report_refusal(*, actor: User, operation: Operation, occurred_at: datetime) -> str | None:
    """The code :func:`hit_report` would refuse a hit of `actor` that occurred at
    `occurred_at` with, whatever its content (None: it would take it now)."""
    context = selectors.hit_report_context(actor, operation.pk, None, occurred_at)
    try:
        _check_reporter(context)
        _check_reporting(context, occurred_at, timezone.now())
    except ValidationError as exc:
        return next(iter(exc.error_dict.values()))[0].code
    return None


class _HitFacts(NamedTuple):
    """What VisibilityProfile.hit_view reads of a hit."""

    operation_id: int
    marking: str
    reporting_agency_id: int | None


def deconfliction_matches(
    user,
    identifiers: set[tuple[str, str]],
    *,
    operation_id: int,
    exclude_hit_id: int | None = None,
    held: dict[int, set[str]] | None = None,
) -> list[DeconflictionMatch]:
    """Other hits the user may see that share a deconflicted identifier of `identifiers`
    (see content_identifiers), the most recent first (at most MAX_MATCHES).

    Nominal identifiers (phones, documents) only match where the user may also see the
    other hit's nominal data. Across operations only the operation code and sequence
    are given, never the other agency's details.

    One statement, whose work is bounded by the hits the user may see: for each
    identifier, the index hit_identifier_latest read backwards gives its most recent
    LATEST_CANDIDATES hits in operations the user may see, and stops (it reads past
    the hits of other operations naming it); of those, the most recent
    LATEST_CANDIDATES overall, with what decides who sees them. What the user is shown
    of each is the rule of permissions.visibility_profile, from their grants: `held`
    (codenames by operation id) where the caller read them, else two statements more
    for the operations of the matches.
    """
    wanted = sorted(
        (kind, value) for kind, value in identifiers if kind in HitIdentifier.DECONFLICTED
    )
    if not wanted:
        return []

    # Only hits of operations the user may see are candidates: a candidate dropped later
    # would still take a place among the latest, and the fewer matches tell that hits of
    # operations hidden from them share the identifier.
    seen = permissions.operations_with_permission(user, permissions.VIEW).values("pk")

    def latest_naming(kind: str, value: str):
        latest = HitIdentifier.objects.filter(kind=kind, value=value, hit__operation__in=seen)
        if exclude_hit_id is not None:
            latest = latest.exclude(hit_id=exclude_hit_id)
        latest = latest.order_by("-hit_id").values("pk")[:LATEST_CANDIDATES]
        return HitIdentifier.objects.filter(pk__in=latest).values_list(
            "kind",
            "value",
            "hit_id",
            "hit__operation_id",
            "hit__operation__code",
            "hit__sequence",
            "hit__marking",
            "hit__reporting_agency_id",
        )

    candidates = latest_naming(*wanted[0])
    if len(wanted) > 1:
        candidates = candidates.union(*(latest_naming(*pair) for pair in wanted[1:]), all=True)
    shared = list(candidates.order_by("-hit_id", "kind", "value")[:LATEST_CANDIDATES])
    operations = {row[3] for row in shared}
    held = dict(held or {})
    if unknown := operations - held.keys():
        held |= permissions.operation_permissions(user, unknown)
    profiles = {
        pk: permissions.visibility_profile(user, pk, held.get(pk, set())) for pk in operations
    }
    matches = []
    for kind, value, _hit_id, other_operation_id, code, sequence, marking, agency_id in shared:
        view = profiles[other_operation_id].hit_view(
            _HitFacts(other_operation_id, marking, agency_id)
        )
        if view is None:
            continue
        if kind in HitIdentifier.NOMINAL and view != permissions.HitView.WITH_NOMINAL_DATA:
            continue
        matches.append(
            DeconflictionMatch(
                kind=kind,
                value=value,
                operation_code=code,
                sequence=sequence,
                same_operation=other_operation_id == operation_id,
            )
        )
        if len(matches) == MAX_MATCHES:
            break
    return matches


def _next_sequence(operation_id: int) -> int | None:
    """Take the next sequence number of an active operation (None: it is not active).

    One ``UPDATE ... RETURNING``, which also locks the operation's row until the
    transaction ends: reports into one operation therefore commit in the order of their
    numbers (a reader who has seen N never finds a later commit below N), and a report
    rolled back gives its number back with the rest (no gap).
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Operation._meta.db_table)} "
            f"SET {quote('last_hit_sequence')} = {quote('last_hit_sequence')} + 1 "
            f"WHERE {quote('id')} = %s AND {quote('status')} = %s "
            f"RETURNING {quote('last_hit_sequence')}",
            [operation_id, Operation.Status.ACTIVE],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@transaction.atomic
def _store(
    *,
    actor: User,
    operation: Operation,
    participation_id: int,
    client_id: uuid.UUID,
    digest: str,
    content: dict,
) -> Hit:
    """The critical section of a report: from taking the sequence number (and with it
    the operation's lock) to the commit, only inserts."""
    sequence = _next_sequence(operation.pk)
    if sequence is None:  # closed since it was checked
        raise _not_active()
    operation.last_hit_sequence = sequence
    hit = Hit(
        operation=operation,
        participation_id=participation_id,
        reporting_agency_id=actor.agency_id,
        reported_by=actor,
        client_id=client_id,
        fingerprint=digest,
        sequence=sequence,
    )
    _write_content(hit, content, replace=False)
    HitRevision.objects.create(hit=hit, version=1, content=content, author=actor)
    audit_record(
        actor=actor,
        action="hit.report",
        instance=hit,
        operation=operation,
        after={"sequence": hit.sequence, "client_id": str(client_id), **content},
    )
    events.broadcast_on_commit(
        operation.pk, events.HIT_REPORTED, sequence=hit.sequence, hit_id=hit.pk
    )
    return hit


def _retry(actor: User, hit_id: int, stored: str, digest: str) -> HitReport:
    """A report under a client id this user has used: the stored hit if the content is
    the same (`stored` and `digest`: fingerprints), else CLIENT_ID_CONFLICT."""
    if stored != digest:
        raise _refusal(
            "client_id",
            "This clientId was already used for a different report.",
            Code.CLIENT_ID_CONFLICT,
        )
    hit = Hit.objects.select_related("operation").get(pk=hit_id)
    identifiers = set(hit.identifiers.values_list("kind", "value"))
    matches = deconfliction_matches(
        actor, identifiers, operation_id=hit.operation_id, exclude_hit_id=hit.pk
    )
    return HitReport(hit, created=False, matches=matches)


def hit_report(
    *, actor: User, operation: Operation | int, client_id: uuid.UUID, data: dict
) -> HitReport:
    """Store a new hit (`operation`: the operation or its id, read afresh), or answer a
    retry of an earlier report with the stored hit.

    Everything that needs no lock is checked first, each read on its own: permission
    (before the payload is looked at, so a refusal tells nothing about it), cleaning,
    an earlier report under this client id, the operation's state, the reporter's
    participation and windows (those in one statement: selectors.hit_report_context),
    and deconfliction. Only then the short transaction of :func:`_store`. Concurrent
    reporters into one operation wait for each other only for its inserts.

    Two concurrent copies of one report both find no earlier report; the second one's
    insert then breaks hit_client_id_once_per_user, its transaction (sequence number
    included) is rolled back, and it is answered as a retry.
    """
    operation_id = operation if isinstance(operation, int) else operation.pk
    occurred_at = data.get("occurred_at")
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        occurred_at = None  # cleaning refuses it
    context = selectors.hit_report_context(actor, operation_id, client_id, occurred_at)
    _check_reporter(context)
    operation = context.operation
    content = clean_hit(data, operation)
    digest = fingerprint(content)
    if context.existing_hit_id is not None:
        return _retry(actor, context.existing_hit_id, context.existing_fingerprint, digest)
    _check_reporting(context, datetime.fromisoformat(content["occurred_at"]), timezone.now())
    matches = deconfliction_matches(
        actor,
        content_identifiers(content),
        operation_id=operation.pk,
        held={operation.pk: context.held},
    )
    try:
        hit = _store(
            actor=actor,
            operation=operation,
            participation_id=context.participation_id,
            client_id=client_id,
            digest=digest,
            content=content,
        )
    except IntegrityError:
        earlier = (
            Hit.objects.filter(operation_id=operation.pk, reported_by=actor, client_id=client_id)
            .values_list("pk", "fingerprint")
            .first()
        )
        if earlier is None:
            raise
        return _retry(actor, *earlier, digest)
    return HitReport(hit, created=True, matches=matches)


def _lock_hit(actor: User, hit: Hit) -> tuple[Hit, Operation]:
    operation = Operation.objects.select_for_update().get(pk=hit.operation_id)
    hit = permissions.hits_visible_to(actor).select_for_update().filter(pk=hit.pk).first()
    if hit is None:
        raise ValidationError({"id": ValidationError("Hit not found.", code=Code.NOT_FOUND)})
    return hit, operation


@transaction.atomic
def hit_amend(*, actor: User, hit: Hit, data: dict, reason: str = "") -> Hit:
    """Replace the content of a hit, keeping every earlier version as a revision.

    The reporting agency's officers and the coordinators may amend, while the operation
    is active or closed (follow-up); a rejected hit stays as it is.
    """
    hit, operation = _lock_hit(actor, hit)
    held = permissions.operation_permissions(actor, [operation.pk]).get(operation.pk, set())
    own = permissions.REPORT_HIT in held and hit.reporting_agency_id == actor.agency_id
    if not own and permissions.COORDINATE not in held:
        raise ValidationError(
            {
                "id": ValidationError(
                    "Only the reporting agency and the coordinators amend a hit.",
                    code=Code.PERMISSION_DENIED,
                )
            }
        )
    if operation.status not in AMENDABLE_OPERATION_STATUSES:
        raise ValidationError(
            {
                "id": ValidationError(
                    "Hits are amended while the operation is active or closed.",
                    code=Code.OPERATION_NOT_ACTIVE,
                )
            }
        )
    if hit.status == Hit.Status.REJECTED:
        raise ValidationError(
            {
                "id": ValidationError(
                    "A rejected hit cannot be amended.", code=Code.INVALID_HIT_STATUS
                )
            }
        )
    content = clean_hit(data, operation)
    occurred_at = datetime.fromisoformat(content["occurred_at"])
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError(
            {
                "occurred_at": ValidationError(
                    "This time is in the future.", code=Code.OCCURRED_IN_FUTURE
                )
            }
        )
    previous = hit.revisions.order_by("-version").first().content
    if content == previous:
        return hit
    hit.version += 1
    hit.status = Hit.Status.AMENDED
    _write_content(hit, content, replace=True)
    HitRevision.objects.create(
        hit=hit, version=hit.version, content=content, author=actor, reason=reason
    )
    changed = sorted(k for k in content if content[k] != previous.get(k))
    audit_record(
        actor=actor,
        action="hit.amend",
        instance=hit,
        operation=operation,
        before={k: previous.get(k) for k in changed},
        after={**{k: content[k] for k in changed}, "version": hit.version, "reason": reason},
    )
    events.broadcast_on_commit(
        operation.pk, events.OPERATION_CHANGED, what="hit_amended", hit_id=hit.pk
    )
    return hit


class ReviewDecision(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"


@transaction.atomic
def hit_review(*, actor: User, hit: Hit, decision: str, reason: str = "") -> Hit:
    """Coordinators confirm a hit, or reject it with a reason."""
    hit, operation = _lock_hit(actor, hit)
    permissions.require(actor, operation, permissions.COORDINATE)
    if decision == ReviewDecision.REJECT and not reason.strip():
        raise ValidationError(
            {"reason": ValidationError("Say why the hit is rejected.", code=Code.REASON_REQUIRED)}
        )
    new_status = {
        ReviewDecision.CONFIRM: Hit.Status.CONFIRMED,
        ReviewDecision.REJECT: Hit.Status.REJECTED,
    }[decision]
    before = {"status": hit.status, "review_reason": hit.review_reason}
    hit.status, hit.review_reason = new_status, reason.strip()
    hit.reviewed_by, hit.reviewed_at = actor, timezone.now()
    hit.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=f"hit.{decision}",
        instance=hit,
        operation=operation,
        before=before,
        after={"status": hit.status, "review_reason": hit.review_reason},
    )
    events.broadcast_on_commit(
        operation.pk, events.OPERATION_CHANGED, what="hit_reviewed", hit_id=hit.pk
    )
    return hit
