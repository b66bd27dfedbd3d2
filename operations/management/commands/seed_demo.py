"""Demo data: agencies on three continents, a user for every role, two operations (the
active one with generated hits to analyse).

The active operation runs from five days before the day it is seeded, and its control
windows run around the clock (day and night shifts), so that a demo officer's report is
inside a window whatever the hour. The command ends with a table of who plays which role
in which operation (`make run` shows it).

Idempotent: running it again changes nothing. Everything but the generated hits (bulk
written by network_analysis.synthetic) goes through the services, so
grants and the audit trail are exactly what real use would produce.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from network_analysis import synthetic
from operations import hit_services, permissions, services
from operations.models import Operation, Participation
from timeline.models import TimeWindow
from timeline.services import time_window_create

DEMO_PASSWORD = "jointops-demo"
PLANNERS_GROUP = "Operation planners"

AGENCIES = [
    ("World Customs Organization", "WCO", Agency.Kind.INTERNATIONAL_ORGANISATION, ""),
    (
        "United Nations Office on Drugs and Crime",
        "UNODC",
        Agency.Kind.INTERNATIONAL_ORGANISATION,
        "",
    ),
    (
        "International Criminal Police Organization",
        "INTERPOL",
        Agency.Kind.INTERNATIONAL_ORGANISATION,
        "",
    ),
    ("Administration générale des douanes et accises", "BE-CUSTOMS", Agency.Kind.CUSTOMS, "BE"),
    ("Dirección General de Aduanas de Costa Rica", "CR-CUSTOMS", Agency.Kind.CUSTOMS, "CR"),
    ("Policía de Control de Drogas", "CR-PCD", Agency.Kind.POLICE, "CR"),
    ("Nigeria Customs Service", "NG-CUSTOMS", Agency.Kind.CUSTOMS, "NG"),
    ("Kenya Revenue Authority, Customs and Border Control", "KE-KRA", Agency.Kind.CUSTOMS, "KE"),
    ("Royal Malaysian Customs Department", "MY-CUSTOMS", Agency.Kind.CUSTOMS, "MY"),
    ("Direction générale des douanes et droits indirects", "FR-DGDDI", Agency.Kind.CUSTOMS, "FR"),
]

DEMO_OPERATIONS = ("POSTAL-SHIELD-2027", "COLIBRI-SKY")

# username, first, last, agency acronym, may plan operations
USERS = [
    ("wco.coordinator", "Amina", "Diallo", "WCO", True),
    ("wco.analyst", "Lukas", "Steiner", "WCO", False),
    ("unodc.observer", "Sofia", "Marín", "UNODC", False),
    ("be.officer", "Pieter", "Claes", "BE-CUSTOMS", False),
    ("cr.officer", "Daniela", "Quesada", "CR-CUSTOMS", False),
    ("cr.police", "Andrés", "Vargas", "CR-PCD", False),
    ("ng.officer", "Chinedu", "Okafor", "NG-CUSTOMS", False),
    ("ke.officer", "Wanjiru", "Kamau", "KE-KRA", False),
    ("my.officer", "Nurul", "Aziz", "MY-CUSTOMS", False),
    ("fr.coordinator", "Claire", "Moreau", "FR-DGDDI", True),
]


class Command(BaseCommand):
    help = "Load demo agencies, users and operations (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        agencies = {
            acr: self._agency(name, acr, kind, country) for name, acr, kind, country in AGENCIES
        }
        planners = self._planners_group()
        users = {}
        for username, first, last, acronym, plans in USERS:
            users[username] = self._user(
                username, first, last, agencies[acronym], planners if plans else None
            )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
        self._planned_operation(users, agencies)
        self._active_operation(users, agencies)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Users: {', '.join(['admin', *users])}; password: {DEMO_PASSWORD}"
            )
        )
        operations = list(
            Operation.objects.filter(
                code__in=DEMO_OPERATIONS, lead_agency=agencies["WCO"]
            ).order_by("code")
        )
        self.stdout.write(roles_table(users.values(), operations))
        for operation in operations:
            self._report_windows(operation, users.values())

    def _agency(self, name, acronym, kind, country):
        agency = Agency.objects.filter(acronym=acronym).first()
        if agency is None:
            agency = Agency(name=name, acronym=acronym, kind=kind, country=country)
            agency.full_clean()
            agency.save()
        return agency

    def _planners_group(self):
        group, _ = Group.objects.get_or_create(name=PLANNERS_GROUP)
        group.permissions.add(
            Permission.objects.get(codename="add_operation", content_type__app_label="operations")
        )
        return group

    def _user(self, username, first, last, agency, group):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                agency=agency,
                email=f"{username}@example.org",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group:
                user.groups.add(group)
        return user

    def _accept(self, operation, agency, user, role=Participation.Role.PARTICIPANT, locations=()):
        participation = services.participation_invite(
            actor=operation.coordinators.first(),
            operation=operation,
            agency=agency,
            role=role,
            locations=list(locations),
        )
        return services.participation_respond(
            actor=user,
            participation=participation,
            response=services.InvitationResponse.ACCEPT,
            contacts=[user],
            locations=list(locations),
        )

    def _planned_operation(self, users, agencies):
        """A postal and courier operation in the spring, planned, one agency yet to answer."""
        if Operation.objects.filter(code="POSTAL-SHIELD-2027").exists():
            return
        zone = ZoneInfo("Europe/Brussels")
        start = datetime(2027, 3, 1, 8, 0, tzinfo=zone)
        op = services.operation_create(
            actor=users["wco.coordinator"],
            code="POSTAL-SHIELD-2027",
            name="Postal Shield",
            focus=Operation.Focus.POSTAL_AND_COURIER,
            description="Synthetic drugs and precursors in mail and express courier flows.",
            planned_start=start,
            planned_end=start + timedelta(days=30),
            time_zone="Europe/Brussels",
        )
        self._accept(op, agencies["BE-CUSTOMS"], users["be.officer"], locations=["BEBRU"])
        self._accept(op, agencies["MY-CUSTOMS"], users["my.officer"], locations=["MYKUL"])
        services.participation_invite(
            actor=users["wco.coordinator"],
            operation=op,
            agency=agencies["KE-KRA"],
            locations=["KENBO"],
        )
        coordinator = users["wco.coordinator"]
        for kind, offset, days in [
            (TimeWindow.Kind.BRIEFING, 0, 2),
            (TimeWindow.Kind.OPERATIONAL, 3, 21),
            (TimeWindow.Kind.FOLLOW_UP, 25, 5),
        ]:
            time_window_create(
                actor=coordinator,
                operation=op,
                kind=kind,
                starts_at=start + timedelta(days=offset),
                ends_at=start + timedelta(days=offset + days),
            )
        services.operation_transition(
            actor=coordinator, operation=op, to_status=Operation.Status.PLANNED
        )

    def _active_operation(self, users, agencies):
        """A general aviation operation running now, with phases and control windows."""
        if Operation.objects.filter(code="COLIBRI-SKY").exists():
            return
        zone = ZoneInfo("America/Costa_Rica")
        start = timezone.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        start -= timedelta(days=5)
        op = services.operation_create(
            actor=users["wco.coordinator"],
            code="COLIBRI-SKY",
            name="Colibri Sky",
            focus=Operation.Focus.GENERAL_AVIATION,
            description="Private aircraft and airstrips in Central America and West Africa.",
            planned_start=start,
            planned_end=start + timedelta(days=20),
            time_zone="America/Costa_Rica",
        )
        cr = self._accept(
            op, agencies["CR-CUSTOMS"], users["cr.officer"], locations=["MROC", "MRLB"]
        )
        pcd = self._accept(op, agencies["CR-PCD"], users["cr.police"], locations=["MRPV"])
        ng = self._accept(op, agencies["NG-CUSTOMS"], users["ng.officer"], locations=["DNMM"])
        self._accept(
            op, agencies["UNODC"], users["unodc.observer"], role=Participation.Role.OBSERVER
        )
        coordinator = users["wco.coordinator"]
        phases = [
            (TimeWindow.Kind.PLANNING, 0, 2),
            (TimeWindow.Kind.BRIEFING, 2, 1),
            (TimeWindow.Kind.OPERATIONAL, 3, 14),
            (TimeWindow.Kind.FOLLOW_UP, 17, 3),
        ]
        for kind, offset, days in phases:
            time_window_create(
                actor=coordinator,
                operation=op,
                kind=kind,
                starts_at=start + timedelta(days=offset),
                ends_at=start + timedelta(days=offset + days),
            )
        shifts = [
            (cr, "MROC", "Juan Santamaría International Airport", None),
            (cr, "MRLB", "Daniel Oduber Quirós International Airport", None),
            (pcd, "", "Airstrip near Los Chiles", (11.0336, -84.7098)),
            (ng, "DNMM", "Murtala Muhammed International Airport, general aviation terminal", None),
        ]
        # Around the clock for the whole operational phase: a day shift 06:00-18:00 and a
        # night shift 18:00-06:00 (Costa Rica time) at every place, so that now, whatever
        # the hour, lies in a window of every reporting participant.
        phase_end = start + timedelta(days=17)
        for day in range(3, 17):
            for hours in (6, 18):
                shift_start = start + timedelta(days=day, hours=hours)
                shift_end = min(shift_start + timedelta(hours=12), phase_end)
                for participation, code, place, coords in shifts:
                    time_window_create(
                        actor=coordinator,
                        operation=op,
                        kind=TimeWindow.Kind.CONTROL,
                        participation=participation,
                        location_code=code,
                        location_name=place,
                        latitude=Decimal(str(coords[0])) if coords else None,
                        longitude=Decimal(str(coords[1])) if coords else None,
                        starts_at=shift_start,
                        ends_at=shift_end,
                    )
        services.operation_transition(
            actor=coordinator, operation=op, to_status=Operation.Status.PLANNED
        )
        services.operation_transition(
            actor=coordinator, operation=op, to_status=Operation.Status.ACTIVE
        )
        services.operation_update(actor=coordinator, operation=op, analysts=[users["wco.analyst"]])
        # Hits with a network in them (cells, a broker, duplicate actors, a transit
        # country), for the analysis: `manage.py analyse_operation COLIBRI-SKY --user wco.analyst`.
        synthetic.plant(op, hits=300, cells=5, per_cell=6, duplicates=40, transit="CR", seed=2027)

    def _report_windows(self, operation, users):
        """For an active operation: who may report a hit at this moment, as the hit service
        decides (a control window of their agency open now, or the operational phase for an
        agency with no control window), and what to do when nobody may."""
        if operation.status != Operation.Status.ACTIVE:
            return
        now = timezone.now()
        reporters, idle = [], []
        for user in users:
            # The hit service's own rules, so that this says what reportHit would answer.
            refusal = hit_services.hit_report_refusal(
                actor=user, operation=operation, occurred_at=now
            )
            if refusal is None:
                reporters.append(user.username)
            elif refusal in hit_services.WINDOW_REFUSALS:
                idle.append(user.username)
            # else: not a reporting participant
        if reporters:
            self.stdout.write(
                f"{operation.code} is active; may report a hit now: {', '.join(reporters)}."
            )
        if idle:
            end = operation.planned_end.astimezone(operation.zone)
            self.stdout.write(
                self.style.WARNING(
                    f"{operation.code}: no window open now for {', '.join(idle)} (the demo "
                    f"data were seeded earlier; the operation ends {end:%Y-%m-%d}). For fresh "
                    "demo data, start from an empty database (delete db.sqlite3)."
                )
            )


def role_in(operation, user) -> str:
    """The part `user` plays in `operation`: the role the web application shows
    (coordinator, analyst, lead, participant, observer), else where their agency's
    invitation stands (invited, declined, withdrawn), else none."""
    held = permissions.operation_permissions(user, [operation.pk]).get(operation.pk, set())
    role = permissions.viewer_role(user, operation, held)
    if role is not None:
        return str(role)
    participation = operation.participations.filter(agency_id=user.agency_id).first()
    return str(participation.state) if participation else "none"


def roles_table(users, operations) -> str:
    """Who plays which role in which demo operation, as a plain-text table."""
    header = ["user", "agency", *(op.code for op in operations)]
    rows = [
        [
            user.username,
            user.agency.acronym if user.agency else "",
            *(role_in(op, user) for op in operations),
        ]
        for user in users
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["Who plays which role (password for all: " + DEMO_PASSWORD + "):"]
    for row in [header, *rows]:
        lines.append(
            "  "
            + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    lines.append("  admin is the platform administrator (/admin/) and takes part in no operation.")
    return "\n".join(lines)
