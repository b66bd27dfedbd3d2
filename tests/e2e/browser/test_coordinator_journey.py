"""The coordinator's whole journey in the browser, in English and in French (issue 10):

a coordinator creates an operation, plans two phases and three control windows (one of
them first refused for overlap, with the message on its Start field), invites two
agencies; an officer of one accepts from their own operations list; the coordinator plans
the operation, is told why it cannot be activated yet, and activates it once the officer
accepted; the timeline tells it all; the calendar link downloads the operation's feed; a
stranger's browser shows no trace of it. axe-core finds nothing serious or critical on any
page of the way (at desktop width; the planner and the list at phone width too, once), and
the times follow the coordinator's time-zone preference, chosen in the header.

One journey per language, on the package's site; each makes an operation of its own (a
fresh code), so the two never meet.
"""

import re
import secrets
from datetime import date

import icalendar
import pytest
from playwright.sync_api import expect

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.chromium import DESKTOP, PHONE
from tests.e2e.browser.pages import (
    NotFoundPage,
    OperationsListPage,
    Shell,
    SignInPage,
    prefer_language,
    signed_in,
)
from tests.e2e.browser.pages.calendar import CalendarPage
from tests.e2e.browser.pages.invitations import Invitations
from tests.e2e.browser.pages.operation import OperationPage
from tests.e2e.browser.pages.operation_form import OperationDraft, OperationFormPage
from tests.e2e.browser.pages.participants import ParticipantsPage
from tests.e2e.browser.pages.planner import PlannerPage, Window
from tests.e2e.browser.pages.timeline import TimelinePage, titles
from tests.e2e.browser.personas import CR_OFFICER, NG_OFFICER
from tests.e2e.browser.test_stranger import NO_SUCH_OPERATION, OPERATION_PAGES, _visit

MY_TIME_ZONE = "{ me { timeZone } }"
SET_MY_TIME_ZONE = """
mutation SetMyTimeZone($zone: String!) {
  updateMe(input: {timeZone: $zone}) { me { timeZone } errors { code } }
}"""

# The operation's zone has no daylight saving time, nor has the zone the coordinator
# switches to: every time below is the same whatever the day the test runs. The operation
# runs in March two years ahead: its phases and windows are yet to come.
YEAR = date.today().year + 2
OPERATION_ZONE = "America/Costa_Rica"  # UTC-6
FIRST_ZONE = "UTC"
CHOSEN_ZONE = "Asia/Tokyo"  # UTC+9
# The planned start, March 10th 08:00 in Costa Rica, as Intl writes it in the operation's
# zone, and in the reader's before and after the change (English hours take no zero).
START_IN_OPERATION_ZONE = {"en": rf"Mar 10, {YEAR}, 0?8:00\sAM", "fr": rf"10 mars {YEAR}, 08:00"}
START_IN = {
    ("en", FIRST_ZONE): rf"Mar 10, {YEAR}, 0?2:00\sPM",
    ("en", CHOSEN_ZONE): rf"Mar 10, {YEAR}, 11:00\sPM",
    ("fr", FIRST_ZONE): rf"10 mars {YEAR}, 14:00",
    ("fr", CHOSEN_ZONE): rf"10 mars {YEAR}, 23:00",
}
# The timeline's entry for the planning phase, in the reader's zone (dateStyle medium,
# timeStyle short).
PHASE_STARTS_FOR_ME = {
    "en": rf"Mar 10, {YEAR}, 11:00\sPM \(your time\)",
    "fr": rf"10 mars {YEAR}, 23:00 \(votre heure\)",
}
OVERLAPPED = {"en": r"Mar 13, 06:00\s*–\s*18:00", "fr": r"13 mars, 06:00\s*–\s*18:00"}

TEXTS = {
    "en": {
        "name": "Coordinator's journey {suffix}",
        "description": "Air couriers through San José: a journey planned in the browser.",
    },
    "fr": {
        "name": "Parcours de la coordinatrice {suffix}",
        "description": "Messageries aériennes via San José : un parcours planifié dans le "
        "navigateur.",
    },
}


def _agency_option(persona) -> str:
    """How the planner lists a participating agency."""
    return f"{persona.agency_acronym} · {persona.agency_name}"


PLANNING = Window("PLANNING", f"{YEAR}-03-10", "08:00", f"{YEAR}-03-12", "08:00")
OPERATIONAL = Window("OPERATIONAL", f"{YEAR}-03-12", "08:00", f"{YEAR}-03-20", "18:00")
CR_AT_MROC = Window(
    "CONTROL", f"{YEAR}-03-13", "06:00", f"{YEAR}-03-13", "18:00",
    agency=_agency_option(CR_OFFICER), location_code="MROC", location_name="Juan Santamaría",
)  # fmt: skip
NG_AT_LAGOS = Window(
    "CONTROL", f"{YEAR}-03-13", "07:00", f"{YEAR}-03-13", "19:00",
    agency=_agency_option(NG_OFFICER), location_code="NGLOS", location_name="Lagos",
)  # fmt: skip
# The same agency at the same place, from noon while the first shift runs until 18:00.
CR_AT_MROC_OVERLAPPING = Window(
    "CONTROL", f"{YEAR}-03-13", "12:00", f"{YEAR}-03-13", "20:00",
    agency=_agency_option(CR_OFFICER), location_code="MROC", location_name="Juan Santamaría",
)  # fmt: skip
# Where the coordinator then moves it: the next day's shift.
CR_AT_MROC_NEXT_DAY = Window(
    "CONTROL", f"{YEAR}-03-14", "06:00", f"{YEAR}-03-14", "18:00",
    agency=_agency_option(CR_OFFICER), location_code="MROC", location_name="Juan Santamaría",
)  # fmt: skip


@pytest.fixture
def coordinators_zone(coordinator_api):
    """The coordinator reads times in UTC at the start (arranged through the API); their
    own preference is theirs again afterwards."""
    before = coordinator_api.post(MY_TIME_ZONE)["me"]["timeZone"]
    _set_zone(coordinator_api, FIRST_ZONE)
    yield FIRST_ZONE
    _set_zone(coordinator_api, before)


def _set_zone(api, zone: str) -> None:
    answer = api.post(SET_MY_TIME_ZONE, {"zone": zone})["updateMe"]
    assert answer["errors"] == [] and answer["me"]["timeZone"] == zone, answer


@pytest.mark.usefixtures("coordinators_zone")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_coordinator_plans_and_activates_an_operation_that_a_stranger_never_sees(
    page, other_browser, coordinator, cr_officer, stranger, language
):
    suffix = secrets.token_hex(3).upper()
    draft = OperationDraft(
        code=f"JOURNEY-{language.upper()}-{suffix}",
        name=TEXTS[language]["name"].format(suffix=suffix),
        description=TEXTS[language]["description"],
        focus="DRUGS",
        zone=OPERATION_ZONE,
        start_date=f"{YEAR}-03-10",
        start_time="08:00",
        end_date=f"{YEAR}-03-20",
        end_time="18:00",
        marking="GREEN",
    )
    code, name = draft.code, draft.name

    # given the coordinator, signed in through the sign-in page in `language`
    prefer_language(page, language)
    sign_in = SignInPage(page, language).open("/operations")
    assert_accessible(page)
    sign_in.sign_in_as(coordinator)
    shell = Shell(page, language).expect_signed_in(coordinator)
    operations = OperationsListPage(page, language).expect_listed()
    assert_accessible(page)

    # when they create an operation from "New operation"
    operations.new_operation_link.click()
    form = OperationFormPage(page, language).expect_shown()
    assert_accessible(page)
    operation_id = form.create(draft)

    # then its overview shows it as typed, a draft, with its dates in its zone and in
    # theirs
    operation = OperationPage(page, language, code, name).expect_shown()
    operation.expect_status("DRAFT")
    for typed in (draft.description, form.words["focuses"][draft.focus], OPERATION_ZONE):
        expect(operation.details).to_contain_text(typed)
    expect(operation.details).to_contain_text(f"TLP:{draft.marking}")
    expect(operation.dates("operation", OPERATION_ZONE)).to_contain_text(
        re.compile(START_IN_OPERATION_ZONE[language])
    )
    expect(operation.dates("mine", FIRST_ZONE)).to_contain_text(
        re.compile(START_IN[language, FIRST_ZONE])
    )
    assert_accessible(page)

    # when they choose another time zone in the header
    shell.choose_time_zone(CHOSEN_ZONE)

    # then the operation's dates are shown in it at once
    expect(operation.dates("mine", CHOSEN_ZONE)).to_contain_text(
        re.compile(START_IN[language, CHOSEN_ZONE])
    )
    expect(operation.dates("mine", FIRST_ZONE)).to_have_count(0)

    # when they plan two phases
    operation.open_section("plan")
    planner = PlannerPage(page, language).expect_shown()
    assert_accessible(page)
    planner.plan(PLANNING)
    planner.plan(OPERATIONAL)

    # and invite two agencies, each to cover a place
    operation.open_section("participants")
    participants = ParticipantsPage(page, language).expect_shown()
    participants.invite(CR_AT_MROC.acronym, [CR_AT_MROC.location_code])
    participants.invite(NG_AT_LAGOS.acronym, [NG_AT_LAGOS.location_code])
    assert_accessible(page)

    # and plan a control window for each invited agency
    operation.open_section("plan")
    planner.expect_shown()
    planner.plan(CR_AT_MROC)
    planner.plan(NG_AT_LAGOS)

    # when they plan a third that overlaps the first (same agency, same place)
    drawer = planner.open_new(CR_AT_MROC_OVERLAPPING)
    drawer.fill(CR_AT_MROC_OVERLAPPING)
    drawer.submit()

    # then it is refused, with the reason under Start, naming the window it overlaps
    expect(drawer.field_with_message("start", planner.words["overlap"])).not_to_have_count(0)
    expect(drawer.dialog.get_by_text(planner.overlap_message())).to_contain_text(
        re.compile(OVERLAPPED[language])
    )
    expect(drawer.date_box("start")).to_have_attribute("aria-invalid", "true")
    expect(drawer.date_box("end")).not_to_have_attribute("aria-invalid", "true")
    expect(
        drawer.dialog.get_by_role("button", name=planner.words["keep_anyway"], exact=True)
    ).to_be_visible()
    assert_accessible(page)

    # when, rather than keeping both, they move it to the next day's shift
    drawer.fill(CR_AT_MROC_NEXT_DAY)
    drawer.submit()

    # then it is planned, and the plan holds two phases and three control windows
    drawer.expect_closed()
    expect(planner.window_button(CR_AT_MROC)).to_have_count(2)
    expect(planner.window_button(NG_AT_LAGOS)).to_have_count(1)
    expect(planner.window_button(PLANNING)).to_have_count(1)
    expect(planner.window_button(OPERATIONAL)).to_have_count(1)
    assert_accessible(page)
    if language == "en":  # once: the planner and the list at phone width
        page.set_viewport_size(PHONE)
        expect(
            page.get_by_role("button", name=planner.words["list"], exact=True)
        ).to_have_attribute("aria-pressed", "true")
        expect(planner.window_button(CR_AT_MROC)).to_have_count(2)
        assert_accessible(page)
        page.set_viewport_size(DESKTOP)

    # when they mark it as planned, then try to activate it before any agency accepted
    operation.open_section("overview")
    operation.transition("PLANNED")
    operation.expect_status("PLANNED")
    operation.transition("ACTIVE")

    # then the activation is refused, and the page says why
    refusal = operation.refusal("ACTIVE")
    expect(refusal).to_contain_text(operation.refusal_reason("NO_ACCEPTED_PARTICIPANT"))
    operation.expect_status("PLANNED")
    assert_accessible(page)

    # when an officer of one invited agency, at another computer, accepts the invitation
    # from their own operations list
    officer_page = other_browser().context.new_page()
    signed_in(officer_page, cr_officer, language)
    invitations = Invitations(officer_page, language)
    expect(invitations.card(code, name)).to_be_visible()
    OperationsListPage(officer_page, language).expect_listed()
    assert_accessible(officer_page)
    if language == "en":
        officer_page.set_viewport_size(PHONE)
        expect(invitations.card(code, name)).to_be_visible()
        assert_accessible(officer_page)
        officer_page.set_viewport_size(DESKTOP)
    invitations.accept(code, name)

    # then the operation is in their list
    expect(OperationsListPage(officer_page, language).operation_link(code)).to_be_visible()

    # when the coordinator activates the operation
    operation.transition("ACTIVE")

    # then it is active
    operation.expect_status("ACTIVE")
    expect(operation.refusal("ACTIVE")).to_have_count(0)

    # when they read its timeline
    operation.open_section("timeline")
    timeline = TimelinePage(page, language).expect_shown()
    expect(timeline.entries("next")).to_have_count(5)  # as many as it shows at a glance
    expect(timeline.entries("past").first).to_contain_text(timeline.entry("activated"))
    assert_accessible(page)

    # then what comes next is the plan, soonest first (times in their zone), and what
    # happened so far is the story of the operation, latest first
    created = timeline.entry("created")
    planned = timeline.entry("planned")
    activated = timeline.entry("activated")
    invited_cr = timeline.entry("invited", agency="CR-CUSTOMS")
    invited_ng = timeline.entry("invited", agency="NG-CUSTOMS")
    accepted = timeline.entry("accepted", agency="CR-CUSTOMS")
    planning = timeline.entry("PLANNING")
    operational = timeline.entry("OPERATIONAL")
    cr_window = timeline.entry("control", agency="CR-CUSTOMS", place="MROC (Juan Santamaría)")
    ng_window = timeline.entry("control", agency="NG-CUSTOMS", place="NGLOS (Lagos)")
    known = {created, planned, activated, invited_cr, invited_ng, accepted}
    known |= {planning, operational, cr_window, ng_window}
    plan = [planning, operational, cr_window, ng_window, cr_window]
    story = [created, invited_cr, invited_ng, planned, accepted, activated]
    assert titles(timeline.lines("next"), known) == plan
    assert titles(timeline.lines("past"), known) == story[::-1]
    expect(timeline.entries("next").first).to_contain_text(
        re.compile(PHASE_STARTS_FOR_ME[language])
    )

    # and oldest first, it is the whole story from the beginning
    timeline.order("oldest")
    expect(timeline.entries("all")).to_have_count(len(story) + len(plan))
    assert titles(timeline.lines("all"), known) == story + plan
    assert_accessible(page)

    # when they download the operation's calendar
    operation.open_section("calendar")
    calendar_page = CalendarPage(page, language).expect_shown()
    calendar_page.ensure_links()
    assert_accessible(page)
    download = calendar_page.download()

    # then it is the operation's feed, a calendar of its two phases and three control
    # windows (the address serves it as text/calendar)
    assert download.suggested_filename == f"{code}.ics"
    content = download.path().read_bytes()
    served = calendar_page.fetch()
    assert served.ok and served.headers["content-type"].startswith("text/calendar")
    assert served.body() == content
    feed = icalendar.Calendar.from_ical(content)
    events = sorted(
        (str(event["summary"]), event.decoded("dtstart").isoformat())
        for event in feed.walk("VEVENT")
    )
    assert events == sorted(
        [
            (f"[{code}] Planning phase", f"{YEAR}-03-10T08:00:00-06:00"),
            (f"[{code}] Operational phase", f"{YEAR}-03-12T08:00:00-06:00"),
            (f"[{code}] Control window: CR-CUSTOMS at MROC", f"{YEAR}-03-13T06:00:00-06:00"),
            (f"[{code}] Control window: NG-CUSTOMS at NGLOS", f"{YEAR}-03-13T07:00:00-06:00"),
            (f"[{code}] Control window: CR-CUSTOMS at MROC", f"{YEAR}-03-14T06:00:00-06:00"),
        ]
    ), events

    # when a coordinator of an agency that takes no part signs in at another computer
    stranger_watch = other_browser()
    stranger_page = stranger_watch.context.new_page()
    signed_in(stranger_page, stranger, language)
    listing = OperationsListPage(stranger_page, language).open().text()

    # then the operation is not on their list
    assert code not in listing and name not in listing

    # and its address (in English, each of its pages' too: what the server sends does
    # not depend on the language) shows the page of an operation that does not exist,
    # from the same answers of the server
    for subpage in OPERATION_PAGES if language == "en" else [""]:
        seen = _visit(
            stranger_page, stranger_watch, f"/operations/{operation_id}{subpage}", operation_id
        )
        unseen = _visit(
            stranger_page,
            stranger_watch,
            f"/operations/{NO_SUCH_OPERATION}{subpage}",
            NO_SUCH_OPERATION,
        )
        assert seen == unseen, subpage
    NotFoundPage(stranger_page, language).expect_shown()
    assert_accessible(stranger_page)

    # and nothing the server sent their browser names it
    everything = "\n".join(stranger_watch.bodies + stranger_watch.frames_received)
    assert code not in everything and name not in everything
