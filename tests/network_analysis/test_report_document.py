"""The post-operation report of a planted operation, looked at as its readers see it.

The PDF's pages are turned into pictures and text with Debian's poppler-utils (``pdftoppm``,
``pdftotext``, ``pdfimages``): missing, these tests skip on a developer's machine and fail where
``JOINTOPS_REQUIRE_PDF_TOOLS=1`` (CI, ``.ci/run``). The HTML report is opened in Debian's
Chromium with the headers the view sends (tests/e2e/browser/chromium.py says when it skips).

The planted operation (network_analysis.synthetic) has two phases and a control window; its
broker is written in Arabic (MOHAMMED) and one cell member in Cyrillic (IVAN); a fifth of its
hits are TLP:RED.
"""

import io
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from matplotlib.figure import Figure
from PIL import Image

from network_analysis import figures, report_pdf, reports, services, synthetic
from network_analysis.context import report_context
from network_analysis.models import AnalysisResult
from operations.models import Actor, Participation
from operations.services import participation_invite
from tests.conftest import START
from tests.e2e.browser import chromium
from timeline.models import TimeWindow
from timeline.services import time_window_create, time_window_delete

IVAN = "Иван Петров"
MOHAMMED = "محمد الأمين"
POPPLER = ("pdftoppm", "pdftotext", "pdfimages")
DPI = 60  # enough to tell the colours of a picture apart


def require_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{', '.join(missing)} missing (Debian's poppler-utils)"
    if os.environ.get("JOINTOPS_REQUIRE_PDF_TOOLS") == "1":
        pytest.fail(f"JOINTOPS_REQUIRE_PDF_TOOLS=1 but {reason}", pytrace=False)
    pytest.skip(f"the report's PDF tests need poppler-utils: {reason}")


def phase(coordinator, operation, kind, days: tuple[int, int], **fields) -> TimeWindow:
    return time_window_create(
        actor=coordinator,
        operation=operation,
        kind=kind,
        starts_at=START + timedelta(days=days[0]),
        ends_at=START + timedelta(days=days[1]),
        **fields,
    )


@pytest.fixture
def planned(planted_operation, coordinator):
    """The planted operation's plan: planning and operational phases, a control window, and
    a briefing phase planned then deleted."""
    phase(coordinator, planted_operation, TimeWindow.Kind.PLANNING, (0, 2))
    phase(coordinator, planted_operation, TimeWindow.Kind.OPERATIONAL, (2, 20))
    participation = planted_operation.participations.get(agency__acronym="CR-CUSTOMS")
    phase(
        coordinator,
        planted_operation,
        TimeWindow.Kind.CONTROL,
        (3, 4),
        participation=participation,
        location_code="CRSJO",
        location_name="Juan Santamaría airport",
    )
    briefing = phase(coordinator, planted_operation, TimeWindow.Kind.BRIEFING, (1, 2))
    time_window_delete(actor=coordinator, window=briefing)
    return planted_operation


@pytest.fixture
def run(planned, analyst):
    truth = synthetic.plant(planned, hits=240, cells=4, per_cell=6, restricted_share=0.2, seed=7)
    renamed = {truth.broker: MOHAMMED, 7: IVAN}  # person number -> name
    for person, name in renamed.items():
        actors = [actor for actor, number in truth.person_of.items() if number == person]
        Actor.objects.filter(pk__in=actors).update(name=name)
    created = services.run_create(actor=analyst, operations=[planned], parameters=None)
    finished = services.run_execute(created.pk)
    assert finished.state == "succeeded", finished.error
    return finished


def results_of(run, edition: str) -> dict:
    return run.results.get(edition=edition).results


@pytest.fixture
def full_pdf(run, tmp_path):
    require_poppler()
    path = tmp_path / "full.pdf"
    path.write_bytes(reports.render_report(results_of(run, "full"), "pdf")[0])
    return path


def pdf_pages_text(path) -> list[str]:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8").split("\f")[:-1]


def page_picture(path, page: int) -> np.ndarray:
    """Page `page` (from 1) as an RGB array."""
    prefix = path.parent / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", "-singlefile"]
        + [str(path), str(prefix)],
        check=True,
    )
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB")).astype(int)


def image_pages(path) -> dict[tuple[int, int], int]:
    """(width, height) in pixels of each picture in the PDF -> the page it is on."""
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True)
    rows = [line.split() for line in listing.stdout.decode().splitlines()[2:]]
    return {(int(row[3]), int(row[4])): int(row[0]) for row in rows if row[2] == "image"}


def share_of(picture: np.ndarray, colour, tolerance: int = 12) -> float:
    """The share of the page's pixels within `tolerance` of `colour` (hex or RGB 0-1)."""
    if isinstance(colour, str):
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [round(255 * c) for c in colour[:3]]
    close = (np.abs(picture - np.array(rgb)) <= tolerance).all(axis=2)
    return close.mean()


def size_in_pixels(chart) -> tuple[int, int]:
    image = Image.open(io.BytesIO(chart.png))
    return image.size


# The PDF ---------------------------------------------------------------------------------------


def test_pdf_opens_with_contents_then_a_one_page_executive_summary(full_pdf):
    pages = pdf_pages_text(full_pdf)

    assert "Contents" in pages[0] and "Executive summary" in pages[0]
    summary = pages[1]
    assert re.search(r"^\s*Executive summary\s*$", summary, re.M)
    for heading in ("Notable findings", "Top commodities", "Top routes"):
        assert heading in summary, heading
    assert "is the main transit country" in summary
    assert "The top broker is" in summary
    assert "Hits" in summary and "Kilograms seized" in summary
    assert "The operation" not in summary  # the next part starts on the next page
    assert re.search(r"^\s*The operation\s*$", pages[2], re.M)


def test_pdf_pages_are_marked_and_numbered(full_pdf):
    pages = pdf_pages_text(full_pdf)

    for number, text in enumerate(pages, 1):
        assert text.count("TLP:RED") == 2, number  # a fifth of the hits are RED
        assert f"Page {number}" in text


def test_pdf_states_the_phases_and_participating_administrations(full_pdf):
    text = "\n".join(pdf_pages_text(full_pdf))

    assert re.search(r"Planning phase\s+2027-03-01 09:00\s+2027-03-03 09:00", text)
    assert re.search(r"Operational phase\s+2027-03-03 09:00\s+2027-03-21 09:00", text)
    assert "Briefing phase" not in text and "Control window" not in text
    for acronym, role in (("CR-CUSTOMS", "Participant"), ("NG-CUSTOMS", "Participant")):
        assert re.search(rf"{acronym}\s+Agency {acronym}\s+\w+\s+{role}", text), acronym
    assert re.search(r"UNODC\s+Agency UNODC\s+international\s+Observer", text)


def test_pdf_map_is_drawn_with_countries_and_routes(run, full_pdf):
    results = results_of(run, "full")
    chart = figures.seizure_map(
        results["statistics"]["by_country"], results["network"]["routes"]["edges"]
    )

    page = image_pages(full_pdf)[size_in_pixels(chart)]
    picture = page_picture(full_pdf, page)

    assert "Countries are coloured by the hits made there" in pdf_pages_text(full_pdf)[page - 1]
    assert share_of(picture, figures.OCEAN) > 0.03  # the sea
    assert share_of(picture, figures.LAND) > 0.01  # countries without seizures
    warm = (picture[..., 0] >= 170) & (picture[..., 2] <= 110)  # yellow to red: hits
    assert warm.mean() > 0.002  # the countries with seizures
    assert share_of(picture, figures.ROUTE, tolerance=40) > 0.0005  # the route legs


def test_pdf_network_drawing_colours_the_communities(run, full_pdf):
    network = results_of(run, "full")["network"]
    chart = figures.network_drawing(
        network["key_entities"], network["key_links"], network["communities"]
    )

    picture = page_picture(full_pdf, image_pages(full_pdf)[size_in_pixels(chart)])

    drawn = {
        i
        for i in range(len(network["communities"][:10]))
        if share_of(picture, figures.COMMUNITY_COLOURS[i]) > 0.0002
    }
    assert len(network["communities"]) >= 2
    assert len(drawn) >= 2  # at least two communities, each in its colour
    assert share_of(picture, "#8c96a3", tolerance=20) > 0.0005  # the links


def test_pdf_draws_cyrillic_and_arabic_names_shaped_in_logical_order(full_pdf):
    raw = "\n".join(pdf_pages_text(full_pdf))
    text = unicodedata.normalize("NFKC", raw)  # presentation forms back to letters, NBSP to space

    assert IVAN in text
    assert MOHAMMED in text  # read back in logical order
    assert MOHAMMED not in raw  # drawn with joined letter forms, not the isolated letters
    assert any("\ufe70" <= char <= "\ufeff" for char in raw)
    (broker,) = [line for line in text.splitlines() if "The top broker is" in line]
    assert MOHAMMED in broker  # the planted broker, written in Arabic


@pytest.mark.parametrize("word", ["محمد", "علي"])
def test_charts_draw_arabic_joined_as_the_pdf_does(word):
    def ink(text: str) -> tuple[int, int]:
        """Height and width of the drawn text, in pixels."""
        figure = Figure(figsize=(2, 0.6), dpi=100)
        figure.text(0.05, 0.3, text, fontsize=20)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pixels = np.asarray(Image.open(buffer).convert("L")) < 128
        rows, columns = np.where(pixels.any(axis=1))[0], np.where(pixels.any(axis=0))[0]
        return np.ptp(rows) + 1, np.ptp(columns) + 1

    def distance(a, b) -> int:
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    isolated = "".join(
        unicodedata.lookup(f"ARABIC LETTER {unicodedata.name(c)[14:]} ISOLATED FORM") for c in word
    )
    drawn = ink(word)

    assert distance(drawn, ink(report_pdf.visual(word))) < distance(drawn, ink(isolated))


# The redacted edition --------------------------------------------------------------------------


def test_redacted_report_names_nobody_and_has_no_padding(run, tmp_path):
    require_poppler()
    results = results_of(run, "redacted")
    path = tmp_path / "redacted.pdf"
    path.write_bytes(reports.render_report(results, "pdf")[0])

    text = unicodedata.normalize("NFKC", "\n".join(pdf_pages_text(path)))
    sections = reports.report_sections(results)

    assert IVAN not in text and MOHAMMED not in text
    for page in pdf_pages_text(path):  # no RED hit in this edition: marked AMBER
        assert page.splitlines()[0].endswith("TLP:AMBER") and page.count("TLP:AMBER") >= 2
    assert "None." not in text
    assert all(s.blocks for s in sections if s.level == 2)
    tables = [b for s in sections for b in s.blocks if isinstance(b, reports.TextTable)]
    assert all(0 < len(t.rows) <= reports.MAX_ROWS for t in tables)
    network = results["network"]
    if not reports.stand_out(network["key_entities"]):  # none, or flights with equal scores
        assert "whose removal splits the network" not in text and "The top broker" not in text
    if network["key_entities"] and not reports.stand_out(network["key_entities"]):
        assert "No entity stands out" in text


# The HTML report in the browser ----------------------------------------------------------------


def test_html_report_opens_in_chromium_with_its_pictures_and_contents(run, analyst, tmp_path):
    reason = chromium.missing()
    if reason:
        if chromium.browser_required():
            pytest.fail(f"JOINTOPS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(f"needs Chromium: {reason}")
    from playwright.sync_api import expect, sync_playwright

    client = Client()
    client.force_login(analyst)
    response = client.get(f"/analysis/runs/{run.pk}/report.html")
    headers = {
        "Content-Type": response["Content-Type"],
        "Content-Security-Policy": response["Content-Security-Policy"],
    }
    url = "http://report.jointops.test/report.html"
    problems, requests = [], []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page(viewport=chromium.DESKTOP)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.route(url, lambda route: route.fulfill(body=response.content, headers=headers))
        page.goto(url)

        loaded = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
        markings = page.get_by_label("Handling marking")
        expect(markings).to_have_count(2)
        expect(markings.first).to_contain_text("TLP:RED")
        expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
        expect(page.get_by_role("img", name=re.compile("^Map of hits by country"))).to_be_visible()
        drawing = page.get_by_role("img", name=re.compile("^Network drawing of the"))
        expect(drawing).to_be_visible()
        expect(page.get_by_text(MOHAMMED).first).to_be_visible()
        page.get_by_role("navigation").get_by_role("link", name="Communities").click()
        expect(page.locator("#communities")).to_be_in_viewport()
        assert page.url.endswith("#communities")
        page.screenshot(path=tmp_path / "report.png", full_page=True)
        browser.close()

    assert len(loaded) >= 4 and all(loaded)  # map, commodities, agencies, key network
    assert problems == []  # no script, no CSP violation
    assert set(requests) == {url}  # nothing else fetched


# The operation's context -----------------------------------------------------------------------


def test_context_lists_accepted_administrations_and_live_phases_only(
    planned, analyst, coordinator, invitee
):
    participation_invite(actor=coordinator, operation=planned, agency=invitee.agency)

    (operation,) = report_context(analyst, [planned], "full", [])["operations"]

    assert [(p["acronym"], p["role"]) for p in operation["participants"]] == [
        ("CR-CUSTOMS", Participation.Role.PARTICIPANT),
        ("NG-CUSTOMS", Participation.Role.PARTICIPANT),
        ("UNODC", Participation.Role.OBSERVER),
        ("WCO", Participation.Role.LEAD),
    ]
    assert [p["label"] for p in operation["phases"]] == ["Planning phase", "Operational phase"]
    assert operation["lead_agency"]["acronym"] == "WCO"
    assert "notes" not in operation["phases"][0] and "contacts" not in operation["participants"][0]


def test_context_leaves_out_an_operation_its_reader_cannot_see(planned, outsider):
    context = report_context(outsider, [planned], "redacted", [])

    assert context["operations"] == []


def test_context_reads_in_the_same_queries_however_much_there_is(
    planned, second_planted_operation, analyst, coordinator
):
    with CaptureQueriesContext(connection) as one:
        report_context(analyst, [planned], "full", [])
    phase(coordinator, second_planted_operation, TimeWindow.Kind.PLANNING, (0, 1))
    phase(coordinator, second_planted_operation, TimeWindow.Kind.FOLLOW_UP, (21, 25))
    with CaptureQueriesContext(connection) as two:
        context = report_context(analyst, [planned, second_planted_operation], "full", [])

    assert len(context["operations"]) == 2
    assert len(two) == len(one)


@pytest.mark.parametrize(
    "edition, markings, expected",
    [
        ("full", ["CLEAR", "GREEN"], "AMBER"),
        ("full", ["GREEN", "RED"], "RED"),
        ("redacted", [], "GREEN"),
        ("redacted", ["CLEAR", "AMBER"], "AMBER"),
    ],
)
def test_report_marking_is_the_narrowest_of_its_hits_and_the_edition(
    planned, analyst, edition, markings, expected
):
    hits = [{"marking": marking} for marking in markings]

    assert report_context(analyst, [planned], edition, hits)["marking"] == expected


def test_a_run_that_reuses_results_states_the_plan_as_it_is_now(run, planned, analyst, coordinator):
    phase(coordinator, planned, TimeWindow.Kind.FOLLOW_UP, (21, 25))

    again = services.run_execute(
        services.run_create(actor=analyst, operations=[planned], parameters=None).pk
    )

    assert again.reused_from_id == run.pk
    for edition in AnalysisResult.Edition.values:
        (operation,) = results_of(again, edition)["context"]["operations"]
        assert operation["phases"][-1]["label"] == "Follow-up phase"
    assert results_of(again, "full")["context"]["marking"] == "RED"
    assert results_of(again, "redacted")["context"]["marking"] == "AMBER"
