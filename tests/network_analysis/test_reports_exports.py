"""Reports and graph exports of an analysis run, from a hand-made graph and results dict.

Both follow the network_analysis data contract. The cast: Ivan Petrov (Cyrillic) and Mohammed
al-Amin (Arabic) share a phone; Ivan takes part in two hits, one of them TLP:RED; Mohammed is
linked to that RED hit through its shipment; a third hit (OP-BRAVO) has no actor. The cocaine came
from Colombia to the United States through Costa Rica.
"""

import copy
import csv
import doctest
import io
import json
import re
import subprocess
import sys
import uuid
from html import unescape

import networkx as nx
import pytest
import stix2
from django.test import Client
from pypdf import PdfReader
from stix2validator import ValidationOptions, validate_string

from network_analysis import context, exports, figures, report_pdf, reports, services, synthetic
from network_analysis.exports import EXPORT_FORMATS, export_graph
from network_analysis.reports import EDITION_LABELS, REPORT_FORMATS, render_report

IVAN = "Иван Петров"
MOHAMMED = "محمد الأمين"
SCRIPT_LABEL = "<script>alert(1)</script> Holdings"
FORMULA_CONCEALMENT = '=HYPERLINK("http://evil.example")'

# Parts (h2) and their sections (h3) of the report of the fixture's results.
SECTION_TITLES = (
    "Executive summary",
    "The operations",
    "OP-ALPHA: Operation Alpha",
    "OP-BRAVO: Operation Bravo",
    "Seizures",
    "By commodity",
    "By country",
    "By mode of transport",
    "By detection method",
    "By concealment",
    "Per participating agency",
    "Over time",
    "Top routes",
    "Network",
    "Key entities",
    "Communities",
    "Brokers",
    "Route network",
    "Cross-operation links",
    "Methodology",
)
# Headings of blocks inside the sections.
BLOCK_HEADINGS = (
    "Notable findings",
    "Top commodities",
    "Phases",
    "Participating administrations",
    "Articulation points",
    "Countries",
    "Legs",
)


def add_hit(g: nx.Graph, pk: int, operation: str, sequence: int, marking: str, at: str, cc: str):
    g.add_node(
        f"hit:{pk}",
        kind="hit",
        label=f"{operation}#{sequence}",
        operation=operation,
        sequence=sequence,
        marking=marking,
        occurred_at=at,
        country=cc,
    )


def add_identifier(g: nx.Graph, identifier_type: str, value: str, label: str, nominal: bool):
    g.add_node(
        f"identifier:{identifier_type}:{value}",
        kind="identifier",
        label=label,
        identifier_type=identifier_type,
        nominal=nominal,
    )


@pytest.fixture
def graph() -> nx.Graph:
    g = nx.Graph(edition="full", fingerprint="f1ng3r", operations="OP-ALPHA,OP-BRAVO")
    add_hit(g, 1, "OP-ALPHA", 1, "AMBER", "2027-03-02T10:15:00+00:00", "CR")
    add_hit(g, 2, "OP-ALPHA", 2, "RED", "2027-03-04T08:00:00Z", "US")
    add_hit(g, 3, "OP-BRAVO", 1, "GREEN", "2027-03-05T12:00:00+01:00", "NL")
    g.add_node("shipment:1", kind="shipment", label="Shipment 1")
    g.add_node("shipment:2", kind="shipment", label="Shipment 2")
    for pk, name, nationality in ((1, IVAN, "RU"), (2, MOHAMMED, "")):
        g.add_node(
            f"actor:{pk}",
            kind="actor",
            label=name,
            actor_kind="person",
            nationality=nationality,
            actors=1,
            operations="OP-ALPHA",
        )
    add_identifier(g, "phone", "+50688887777", "+506 8888 7777", nominal=True)
    add_identifier(g, "email", "ivan@example.org", "ivan@example.org", nominal=True)
    add_identifier(g, "container", "MSCU1234565", "MSCU 123456 5", nominal=False)
    g.add_node(
        "conveyance:flight:CM0401", kind="conveyance", label="CM 401", conveyance_type="flight"
    )
    g.add_node("location:CRSJO", kind="location", label="San José airport", country="CR")
    countries = {"CO": "Colombia", "CR": "Costa Rica", "US": "United States", "NL": "Netherlands"}
    for code, name in countries.items():
        g.add_node(f"country:{code}", kind="country", label=name)
    edges = [
        ("hit:1", "shipment:1", "shipment"),
        ("hit:2", "shipment:2", "shipment"),
        ("hit:1", "actor:1", "involves"),
        ("hit:2", "actor:1", "involves"),
        ("shipment:2", "actor:2", "involves"),
        ("actor:1", "identifier:phone:+50688887777", "uses"),
        ("actor:1", "identifier:email:ivan@example.org", "uses"),
        ("identifier:phone:+50688887777", "actor:2", "uses"),
        ("shipment:1", "identifier:container:MSCU1234565", "identified_by"),
        ("shipment:2", "conveyance:flight:CM0401", "conveyed_by"),
        ("hit:1", "location:CRSJO", "seized_at"),
        ("location:CRSJO", "country:CR", "located_in"),
        ("hit:2", "country:US", "seized_at"),
        ("hit:3", "country:NL", "seized_at"),
    ]
    for u, v, kind in edges:
        g.add_edge(u, v, kind=kind, weight=1.0)
    return g


@pytest.fixture
def results() -> dict:
    return {
        "edition": "full",
        "scope": {
            "operations": [
                {"id": 1, "code": "OP-ALPHA", "name": "Operation Alpha"},
                {"id": 2, "code": "OP-BRAVO", "name": "Operation Bravo"},
            ],
            "hits": 3,
        },
        "statistics": {
            "totals": {"hits": 3, "kilograms": 130.5, "arrests": 2},
            "by_commodity": [
                {
                    "commodity": "cocaine",
                    "label": "Cocaine (hydrochloride)",
                    "group": "drugs",
                    "hits": 2,
                    "kilograms": 120.5,
                    "quantities": [{"unit": "kg", "quantity": 120.5}],
                },
                {
                    "commodity": "cigarettes",
                    "label": "Cigarettes",
                    "group": "tobacco",
                    "hits": 1,
                    "kilograms": 10.0,
                    "quantities": [{"unit": "piece", "quantity": 20000}],
                },
            ],
            "by_country": [
                {"country": "CR", "name": "Costa Rica", "hits": 1, "kilograms": 20.5},
                {"country": "US", "name": "United States", "hits": 1, "kilograms": 100.0},
                {"country": "NL", "name": "Netherlands", "hits": 1, "kilograms": 10.0},
            ],
            "by_mode": [{"mode": "air", "label": "Air", "hits": 3, "kilograms": 130.5}],
            "by_detection": [
                {"method": "detector_dog", "label": "Detector dog", "hits": 3, "kilograms": 130.5}
            ],
            "by_concealment": [
                {"concealment": FORMULA_CONCEALMENT, "hits": 1, "kilograms": 20.5},
                {"concealment": "Wing compartment", "hits": 2, "kilograms": 110.0},
            ],
            "by_agency": [
                {
                    "agency": "PCD",
                    "name": "Policía de Control de Drogas",
                    "hits": 2,
                    "kilograms": 120.5,
                },
                {"agency": "FIOD", "name": "Fiscale inlichtingen", "hits": 1, "kilograms": 10.0},
            ],
            "over_time": [
                {"date": "2027-03-02", "hits": 1, "kilograms": 20.5},
                {"date": "2027-03-04", "hits": 1, "kilograms": 100.0},
                {"date": "2027-03-05", "hits": 1, "kilograms": 10.0},
            ],
            "top_routes": [{"route": ["CO", "CR", "US"], "hits": 2, "kilograms": 120.5}],
        },
        "network": {
            "graph": {
                "nodes": 16,
                "edges": 14,
                "components": 2,
                "largest_component": 14,
                "nodes_by_kind": {
                    "hit": 3,
                    "shipment": 2,
                    "actor": 2,
                    "identifier": 3,
                    "conveyance": 1,
                    "location": 1,
                    "country": 4,
                },
            },
            "key_entities": [
                {
                    "id": "actor:1",
                    "kind": "actor",
                    "label": IVAN,
                    "degree": 1.0,
                    "betweenness": 0.5,
                    "pagerank": 0.41,
                    "closeness": 1.0,
                    "core": 1,
                    "hits": 2,
                },
                {
                    "id": "actor:3",
                    "kind": "actor",
                    "label": SCRIPT_LABEL,
                    "degree": 0.5,
                    "betweenness": 0.0,
                    "pagerank": 0.2,
                    "closeness": 0.5,
                    "core": 1,
                    "hits": 0,
                },
            ],
            "communities": [
                {
                    "id": 0,
                    "size": 2,
                    "members": [
                        {"id": "actor:1", "label": IVAN},
                        {"id": "actor:2", "label": MOHAMMED},
                    ],
                    "hits": ["OP-ALPHA#1", "OP-ALPHA#2"],
                },
            ],
            "brokers": {
                "articulation_points": [{"id": "actor:1", "label": IVAN}],
                "bridges": [
                    {
                        "source": "actor:1",
                        "target": "actor:2",
                        "source_label": IVAN,
                        "target_label": MOHAMMED,
                    }
                ],
            },
            "routes": {
                "countries": [
                    {
                        "country": "CR",
                        "name": "Costa Rica",
                        "betweenness": 1.0,
                        "hits": 2,
                        "kilograms": 120.5,
                    },
                ],
                "edges": [
                    {
                        "source": "CO",
                        "target": "CR",
                        "hits": 2,
                        "kilograms": 120.5,
                        "edge_betweenness": 0.5,
                    },
                    {
                        "source": "CR",
                        "target": "US",
                        "hits": 2,
                        "kilograms": 120.5,
                        "edge_betweenness": 0.5,
                    },
                ],
            },
            "cross_operation_links": [
                {
                    "id": "identifier:phone:+50688887777",
                    "label": "+506 8888 7777",
                    "kind": "identifier",
                    "operations": ["OP-ALPHA", "OP-BRAVO"],
                },
            ],
            "key_links": [["actor:1", "actor:3", 2.0]],
        },
        "context": {
            "marking": "RED",
            "operations": [
                {
                    "code": "OP-ALPHA",
                    "name": "Operation Alpha",
                    "focus": "Drugs",
                    "status": "Closed",
                    "lead_agency": {
                        "acronym": "WCO",
                        "name": "World Customs Organization",
                        "country": "",
                    },
                    "time_zone": "America/Costa_Rica",
                    "planned_start": "2027-03-01T06:00:00+00:00",
                    "planned_end": "2027-03-10T05:59:00+00:00",
                    "phases": [
                        {
                            "kind": "operational",
                            "label": "Operational phase",
                            "starts_at": "2027-03-02T12:00:00+00:00",
                            "ends_at": "2027-03-08T12:00:00+00:00",
                        }
                    ],
                    "participants": [
                        {
                            "acronym": "PCD",
                            "name": "Policía de Control de Drogas",
                            "country": "CR",
                            "role": "participant",
                            "role_label": "Participant",
                        },
                        {
                            "acronym": "WCO",
                            "name": "World Customs Organization",
                            "country": "",
                            "role": "lead",
                            "role_label": "Lead",
                        },
                    ],
                },
                {
                    "code": "OP-BRAVO",
                    "name": "Operation Bravo",
                    "focus": "Containers",
                    "status": "Active",
                    "lead_agency": {
                        "acronym": "FIOD",
                        "name": "Fiscale inlichtingen",
                        "country": "NL",
                    },
                    "time_zone": "Europe/Amsterdam",
                    "planned_start": "2027-03-04T23:00:00+00:00",
                    "planned_end": "2027-03-20T23:00:00+00:00",
                    "phases": [],
                    "participants": [],
                },
            ],
        },
        "methodology": {
            "parameters": {"top": 20, "resolution": 1.0},
            "betweenness": {"exact": False, "k": 500, "seed": 42},
            "backend": "networkx",
            "networkx": "3.6.1",
            "resolution": {"min_score": 0.92, "confirmed_merges": 3, "identifier_links": 5},
            "fingerprint": "f1ng3r",
            "generated_at": "2027-04-01T09:00:00+00:00",
            "excluded": "Rejected hits are excluded.",
            "edition_note": "Contains nominal data: handle as marked.",
        },
    }


def empty_results(results: dict) -> dict:
    """The same run with no hit at all: every list empty, every total zero."""
    empty = copy.deepcopy(results)
    stats, network = empty["statistics"], empty["network"]
    stats["totals"] = {"hits": 0, "kilograms": 0.0, "arrests": 0}
    for key in stats:
        if key != "totals":
            stats[key] = []
    network["graph"] = {
        "nodes": 0,
        "edges": 0,
        "components": 0,
        "largest_component": 0,
        "nodes_by_kind": {},
    }
    network["key_entities"] = network["communities"] = network["cross_operation_links"] = []
    network["key_links"] = []
    network["brokers"] = {"articulation_points": [], "bridges": []}
    network["routes"] = {"countries": [], "edges": []}
    empty["scope"]["hits"] = 0
    return empty


def pdf_images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def html_section(html: str, key: str) -> str:
    return re.search(rf'<section id="{key}"[^>]*>(.*?)</section>', html, re.S).group(1)


# HTML


def html_of(results: dict) -> str:
    return render_report(results, "html")[0].decode("utf-8")


def headings(html: str, levels: str = "23") -> list[str]:
    """The titles of the sections (h2, h3) or, with levels="4", of the blocks."""
    return [unescape(t) for t in re.findall(rf"<h[{levels}][^>]*>(.*?)</h[{levels}]>", html)]


def test_html_report_shows_every_section_and_the_edition(results):
    content, content_type = render_report(results, "html")

    html = content.decode("utf-8")
    assert content_type == "text/html; charset=utf-8"
    assert headings(html)[1:] == list(SECTION_TITLES)  # after "Contents"
    assert set(BLOCK_HEADINGS) <= set(headings(html, "4"))
    assert "OP-ALPHA (Operation Alpha)" in html
    assert EDITION_LABELS["full"] in html
    assert "CO → CR → US" in html
    assert IVAN in html and MOHAMMED in html
    assert "sampled (k = 500, seed = 42)" in html
    assert "Rejected hits are excluded." in html


def test_html_report_is_marked_at_top_and_bottom(results):
    html = html_of(results)

    marks = re.findall(r'<span class="tlp" style="color: (#\w+)">(TLP:[A-Z+]+)</span>', html)
    assert marks == [("#ff2b2b", "TLP:RED")] * 2
    assert html.index("TLP:RED") < html.index("<main>") < html.rindex("TLP:RED")


def test_html_report_marking_defaults_to_the_edition_floor_for_older_results(results):
    del results["context"]
    results["edition"] = "redacted"

    assert "TLP:GREEN" in html_of(results)


def test_html_contents_link_to_every_section(results):
    html = html_of(results)

    contents = re.search(r"<nav .*?</nav>", html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', contents)
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert targets == ids
    assert len(ids) == len(SECTION_TITLES)


def test_html_report_pictures_are_embedded(results):
    html = html_of(results)

    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    alts = [alt for _, alt in sources]
    assert all(src.startswith("data:image/png;base64,") for src, _ in sources)
    assert len(sources) == 5  # map, commodities, agencies, over time, key network
    assert any(alt.startswith("Map of hits by country") for alt in alts)
    assert any(alt.startswith("Network drawing of the 2 key entities") for alt in alts)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing to fetch


def test_html_report_escapes_labels(results):
    html = html_of(results)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Holdings" in html


def test_html_report_names_the_redacted_edition(results):
    results["edition"] = "redacted"

    html = html_of(results)

    assert EDITION_LABELS["redacted"] in html
    assert "no TLP:RED or TLP:AMBER+STRICT hits" in html


def test_html_report_summary_states_the_notable_findings(results):
    html = html_section(html_of(results), "summary")

    assert "Cocaine (hydrochloride) makes up 92% of the 130.5 kg seized" in html
    assert "Costa Rica (CR) is the main transit country" in html
    assert f"The top broker is {IVAN} (actor): an articulation point" in html
    assert "1 communities of linked entities; the largest has 2 members" in html
    assert "2 entities appear in more than one operation" not in html
    assert "1 entities appear in more than one operation, such as +506 8888 7777" in html


def test_html_report_states_the_period_phases_and_participants(results):
    html = html_of(results)

    alpha = html_section(html, "operation-1")
    assert "2027-03-01 to 2027-03-09" in alpha  # the planned span in America/Costa_Rica
    assert "<td>Operational phase</td><td>2027-03-02 06:00</td><td>2027-03-08 06:00</td>" in alpha
    assert (
        "<td>PCD</td><td>Policía de Control de Drogas</td><td>CR</td><td>Participant</td>" in alpha
    )
    assert (
        "<td>WCO</td><td>World Customs Organization</td><td>international</td><td>Lead</td>"
        in alpha
    )
    bravo = html_section(html, "operation-2")
    assert "FIOD (Fiscale inlichtingen)" in bravo
    assert "<table" not in bravo  # neither phases nor participants: no empty tables


def test_html_report_leaves_out_what_has_nothing_to_show(results):
    html = html_of(empty_results(results))

    titles = headings(html)
    assert "Seizures" not in titles and "Network" not in titles and "Key entities" not in titles
    assert "Executive summary" in titles and "Methodology" in titles
    assert "No hit is in the scope of this edition." in html_section(html, "summary")
    assert "None." not in html
    assert "<img" not in html
    assert re.findall(r"<tbody>\s*</tbody>", html) == []


def test_html_report_prints_small_measures_with_three_significant_digits(results):
    results["network"]["key_entities"][0]["betweenness"] = 0.0000123456
    results["network"]["key_entities"][0]["pagerank"] = 0.41234

    html = html_section(html_of(results), "key_entities")

    assert "<td>1.23e-05</td>" in html
    assert "<td>0.412</td>" in html
    assert "0.0000" not in html


def test_html_report_leaves_out_a_ranking_without_differences(results):
    for entity in results["network"]["key_entities"]:
        entity.update(degree=0.5, betweenness=0.0, pagerank=0.2, closeness=0.5)

    html = html_of(results)

    assert "No entity stands out: the 2 most central have equal scores." in html
    assert '<th scope="col">Betweenness</th>' not in html_section(html, "key_entities")
    assert "The top broker" not in html_section(html, "summary")
    assert "Articulation points" not in headings(html)


def test_html_report_summarises_communities(results):
    members = [{"id": f"actor:{i}", "label": f"Member {i:02d}"} for i in range(40)]
    results["network"]["communities"] = [
        {"id": c, "size": 8, "members": members[c * 5 : c * 5 + 8], "hits": [f"H#{c}"] * 30}
        for c in range(1, 8)
    ]

    html = html_section(html_of(results), "communities")

    assert "7 communities (Louvain) of two or more linked entities, 56 entities in all." in html
    rows = re.findall(
        r"<tr><td>(\d+)</td><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html
    )
    assert [(c, size, hits) for c, size, _, hits in rows] == [
        (str(c), "8", "30") for c in range(1, 6)
    ]
    assert (
        rows[0][2] == "Member 05, Member 06, Member 07, Member 08, Member 09, Member 10 and 2 more"
    )
    assert "H#1" not in html


def test_html_report_caps_long_tables(results):
    results["network"]["routes"]["edges"] = [
        {
            "source": "CO",
            "target": f"X{i:02d}",
            "hits": 1,
            "kilograms": 1.0,
            "edge_betweenness": 0.1,
        }
        for i in range(40)
    ]

    html = html_section(html_of(results), "route_network")

    assert html.count("<td>CO → X") == reports.MAX_ROWS
    assert "The first 25 of 40 legs; the CSV and JSON reports list all." in html


MERGES = [
    {"actors": [1, 4], "rule": "document", "evidence": "same passport RU 7512345"},
    {"actors": [1, 9], "rule": "document", "evidence": "same passport RU 7512345"},
    {"actors": [1, 12], "rule": "name_and_birth", "evidence": "same name and date of birth"},
]


def test_html_report_shows_why_entities_were_merged(results):
    results["network"]["key_entities"][0]["merged_because"] = MERGES
    results["identity"] = {
        "merged_entities": [
            {
                "id": "actor:1",
                "label": IVAN,
                "actors": 4,
                "names": [IVAN, "Ivan Petrov", "PETROV Ivan"],
                "merged_because": MERGES,
            }
        ]
    }

    html = html_of(results)

    because = "merged because: same passport RU 7512345; same name and date of birth"
    assert f"{IVAN} ({because})" in html_section(html, "key_entities")
    merged = html_section(html, "merged_entities")
    assert f"<td>{IVAN}, Ivan Petrov, PETROV Ivan</td>" in merged
    assert "<td>4</td>" in merged
    assert "<td>same passport RU 7512345; same name and date of birth</td>" in merged
    assert (
        f"1 entities join several reports without an analyst's decision, such as {IVAN} "
        "(merged because: same passport RU 7512345)." in unescape(html_section(html, "summary"))
    )


def test_html_report_states_how_the_measures_were_made(results):
    methodology = results["methodology"]
    methodology["betweenness"].update(
        engine="igraph 0.11",
        error={"top": 25, "relative_error_median": 0.012, "relative_error_max": 0.087},
    )
    methodology["key_entities"] = "Ranked by betweenness, then degree."
    methodology["resolution"]["automatic_merges"] = {"document": 2, "name_and_birth": 0}

    html = html_section(html_of(results), "methodology")

    assert (
        "sampled (k = 500, seed = 42, igraph 0.11); relative standard error of the top 25: "
        "median 1%, largest 9%" in html
    )
    assert "<td>Key entities</td><td>Ranked by betweenness, then degree.</td>" in html
    assert "<td>document: 2</td>" in html


# PDF


def test_pdf_report_has_the_sections_metadata_and_charts(results):
    content, content_type = render_report(results, "pdf")

    assert content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == reports.report_title(results)
    assert reader.metadata.subject == EDITION_LABELS["full"]
    text = pdf_text(content)
    assert "OP-ALPHA" in text
    for title in SECTION_TITLES + BLOCK_HEADINGS:
        assert title in text, title
    assert IVAN in text  # drawn with a font that has Cyrillic, not Helvetica
    assert pdf_images(content) == 5  # map, commodities, agencies, over time, key network


def test_pdf_report_is_marked_in_every_page_header_and_footer(results):
    pages = PdfReader(io.BytesIO(render_report(results, "pdf")[0])).pages

    assert len(pages) >= 3
    assert all(page.extract_text().count("TLP:RED") == 2 for page in pages)


def flattened(outline: list) -> list:
    return [e for item in outline for e in (flattened(item) if isinstance(item, list) else [item])]


def test_pdf_report_has_a_table_of_contents_and_bookmarks(results):
    reader = PdfReader(io.BytesIO(render_report(results, "pdf")[0]))

    contents = reader.pages[0].extract_text()
    assert "Contents" in contents
    assert all(title in contents for title in SECTION_TITLES)
    bookmarks = flattened(reader.outline)
    assert [b.title for b in bookmarks] == list(SECTION_TITLES)
    for bookmark in bookmarks:  # each leads to the page where its section starts
        page = reader.pages[reader.get_destination_page_number(bookmark)]
        assert bookmark.title in page.extract_text(), bookmark.title


def test_pdf_report_leaves_out_charts_without_data(results):
    results["statistics"]["by_commodity"] = []
    results["statistics"]["over_time"] = []

    assert pdf_images(render_report(results, "pdf")[0]) == 3
    assert pdf_images(render_report(empty_results(results), "pdf")[0]) == 0


def test_pdf_report_of_an_empty_run_has_a_summary_and_no_padding(results):
    text = pdf_text(render_report(empty_results(results), "pdf")[0])

    assert "No hit is in the scope of this edition." in text
    assert "Methodology" in text
    assert "None." not in text and "Key entities" not in text


def test_pdf_report_draws_markup_like_labels_as_text(results):
    text = pdf_text(render_report(results, "pdf")[0])

    # Escaped for ReportLab's markup, drawn verbatim (the cell may wrap it over lines).
    assert "<script>alert(1)</script>Holdings" in "".join(text.split())


# CSV


def test_csv_report_is_one_tidy_table(results):
    content, content_type = render_report(results, "csv")

    rows = csv_rows(content)
    assert content_type == "text/csv; charset=utf-8"
    assert content.decode("utf-8").splitlines()[0] == "section,key,label,metric,value"
    values = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert values["totals", "total", "kilograms"] == "130.5"
    assert values["by_commodity", "cocaine", "kilograms"] == "120.5"
    assert values["by_commodity", "cigarettes", "quantity_piece"] == "20000"
    assert values["top_routes", "CO>CR>US", "hits"] == "2"
    assert values["key_entity", "actor:1", "betweenness"] == "0.5"
    assert values["route_edge", "CR>US", "edge_betweenness"] == "0.5"
    link = values["cross_operation_link", "identifier:phone:+50688887777", "operations"]
    assert link == "OP-ALPHA|OP-BRAVO"


def test_csv_report_lists_community_members_with_their_names(results):
    rows = csv_rows(render_report(results, "csv")[0])

    members = [(r["key"], r["label"]) for r in rows if r["metric"] == "member"]
    assert members == [("0", IVAN), ("0", MOHAMMED)]
    route = next(r for r in rows if r["section"] == "top_routes")
    assert route["label"] == "CO → CR → US"


def test_csv_report_neutralises_formulas(results):
    rows = csv_rows(render_report(results, "csv")[0])

    concealments = {r["key"] for r in rows if r["section"] == "by_concealment"}
    assert concealments == {"'" + FORMULA_CONCEALMENT, "Wing compartment"}
    assert all(not r[f].startswith(("=", "+", "-", "@")) for r in rows for f in r)


# JSON


def test_json_report_round_trips(results):
    content, content_type = render_report(results, "json")

    assert content_type == "application/json"
    assert json.loads(content) == results
    assert IVAN.encode("utf-8") in content


@pytest.mark.parametrize("fmt", ["xlsx", "", "PDF"])
def test_unknown_report_format_is_refused(results, fmt):
    with pytest.raises(ValueError):
        render_report(results, fmt)


def test_report_formats_are_all_rendered(results):
    assert set(REPORT_FORMATS) == {"html", "pdf", "csv", "json"}
    for fmt in REPORT_FORMATS:
        content, _ = render_report(results, fmt)
        assert content


# Graph exports


def kinds(g: nx.Graph) -> dict[str, str]:
    return dict(g.nodes(data="kind"))


def test_gexf_export_loads_back(graph):
    content, content_type, extension = export_graph(graph, "gexf")

    loaded = nx.read_gexf(io.BytesIO(content))
    assert (content_type, extension) == ("application/gexf+xml", "gexf")
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == (16, 14)
    assert kinds(loaded) == kinds(graph)
    assert loaded.nodes["actor:2"]["label"] == MOHAMMED
    assert loaded.nodes["identifier:phone:+50688887777"]["nominal"] is True


def test_graphml_export_loads_back_with_the_graph_attributes(graph):
    content, content_type, extension = export_graph(graph, "graphml")

    loaded = nx.read_graphml(io.BytesIO(content))
    assert (content_type, extension) == ("application/graphml+xml", "graphml")
    assert (loaded.number_of_nodes(), loaded.number_of_edges()) == (16, 14)
    assert kinds(loaded) == kinds(graph)
    assert loaded.nodes["actor:1"]["label"] == IVAN
    assert loaded.graph["edition"] == "full"
    assert loaded.edges["actor:1", "identifier:phone:+50688887777"]["kind"] == "uses"


def test_json_export_loads_back_as_node_link_data(graph):
    content, content_type, extension = export_graph(graph, "json")

    loaded = nx.node_link_graph(json.loads(content), edges="edges")
    assert (content_type, extension) == ("application/json", "json")
    assert nx.utils.graphs_equal(loaded, graph)
    assert IVAN.encode("utf-8") in content


# STIX

TLP_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
SDO_TYPES = ("threat-actor", "infrastructure", "location", "sighting", "relationship")

# A consumer that knows nothing of JointOps: a fresh, isolated interpreter (no project
# directory on its path) that only has stix2.
FRESH_CONSUMER = """
import collections, json, sys
import stix2
bundle = stix2.parse(sys.stdin.read(), allow_custom=False)
assert not [m for m in sys.modules if m.split(".")[0] in ("network_analysis", "django")]
print(json.dumps(collections.Counter(o.type for o in bundle.objects)))
"""


def stix_content(graph: nx.Graph) -> bytes:
    content, content_type, extension = export_graph(graph, "stix")
    assert (content_type, extension) == ("application/stix+json;version=2.1", "stix.json")
    return content


def stix_objects(graph: nx.Graph) -> list:
    return stix2.parse(stix_content(graph).decode("utf-8"), allow_custom=False).objects


def of_type(objects: list, stix_type: str) -> list:
    return [o for o in objects if o.type == stix_type]


def strict_validation_errors(content: bytes, **options) -> list[str]:
    """Every error and warning of ``stix2-validator --strict --enforce-refs`` (in strict mode
    the SHOULD checks are errors too)."""
    options = ValidationOptions(strict=True, version="2.1", enforce_refs=True, **options)
    result = validate_string(content.decode("utf-8"), options)
    return [str(error) for error in result.errors] + [str(w) for w in result.warnings or []]


def parsed_in_a_fresh_process(content: bytes, tmp_path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-I", "-c", FRESH_CONSUMER],
        input=content,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-1500:]
    return json.loads(done.stdout)


def identifier_of(stix_object) -> tuple[str, str]:
    """``(identifier_type, value)`` of an ``infrastructure`` or ``email-addr`` object."""
    if stix_object.type == "email-addr":
        return ("email", stix_object.value)
    extension = stix_object.extensions[exports.IDENTIFIER_EXTENSION_ID]
    return (extension["identifier_type"], extension["value"])


def with_every_marking(g: nx.Graph) -> nx.Graph:
    """Adds hit 4 (TLP:CLEAR, NL) and hit 5 (TLP:AMBER+STRICT, CO), both involving Mohammed."""
    add_hit(g, 4, "OP-BRAVO", 2, "CLEAR", "2027-03-06T09:00:00+00:00", "NL")
    add_hit(g, 5, "OP-BRAVO", 3, "AMBER_STRICT", "2027-03-07T09:00:00+00:00", "CO")
    g.add_edge("hit:4", "actor:2", kind="involves", weight=1.0)
    g.add_edge("hit:5", "actor:2", kind="involves", weight=1.0)
    return g


def redacted(g: nx.Graph) -> nx.Graph:
    """What the redacted edition of ``g`` holds: no actor, no nominal identifier, no RED or
    AMBER+STRICT hit, and nothing that was only reachable through them."""
    g = g.copy()
    g.graph["edition"] = "redacted"
    g.remove_nodes_from(
        [
            key
            for key, attrs in g.nodes(data=True)
            if attrs["kind"] == "actor"
            or attrs.get("nominal")
            or attrs.get("marking") in ("RED", "AMBER_STRICT")
        ]
    )
    hits = [key for key, kind in g.nodes(data="kind") if kind == "hit"]
    kept = set().union(*(nx.node_connected_component(g, hit) for hit in hits))
    return g.subgraph(kept).copy()


EXPECTED_STIX_OBJECTS = {
    "full": {
        "identity": 1,  # JointOps, the author
        "extension-definition": 1,
        "marking-definition": 4,  # TLP:WHITE (CLEAR), AMBER, AMBER+STRICT, RED; GREEN: no actor
        "threat-actor": 2,
        "infrastructure": 3,  # phone, container, flight
        "email-addr": 1,
        "location": 4,
        "relationship": 3,
        "sighting": 5,
    },
    "redacted": {
        "identity": 1,
        "extension-definition": 1,
        "infrastructure": 1,  # the container of hit 1; hit 2 (RED) took the flight away
        "location": 2,  # CR and NL
    },
}


@pytest.fixture(params=["full", "redacted"])
def edition_graph(request, graph) -> tuple[str, nx.Graph]:
    full = with_every_marking(graph)
    return request.param, full if request.param == "full" else redacted(full)


def test_stix_export_passes_the_strict_validator_in_both_editions(edition_graph):
    edition, graph = edition_graph

    content = stix_content(graph)

    assert strict_validation_errors(content) == []
    assert json.loads(content)["objects"], edition


def test_stix_export_parses_in_a_fresh_process_without_custom_content(edition_graph, tmp_path):
    edition, graph = edition_graph

    counts = parsed_in_a_fresh_process(stix_content(graph), tmp_path)

    assert counts == EXPECTED_STIX_OBJECTS[edition]


def test_stix_ids_are_uuid4_for_domain_objects_and_uuid5_for_observables(graph):
    objects = stix_objects(with_every_marking(graph))

    versions: dict[str, set[int]] = {}
    for stix_object in objects:
        version = uuid.UUID(stix_object.id.split("--")[1]).version
        versions.setdefault(stix_object.type, set()).add(version)
    assert versions.pop("email-addr") == {5}  # deterministic, from the address (spec 2.9)
    assert set().union(*versions.values()) == {4}


def test_stix_export_is_a_valid_bundle_with_the_expected_objects(graph):
    objects = stix_objects(graph)

    assert {o.name for o in of_type(objects, "threat-actor")} == {IVAN, MOHAMMED}
    assert len(of_type(objects, "sighting")) == 3  # hit 1: Ivan; hit 2: Ivan, Mohammed
    assert len(of_type(objects, "relationship")) == 3  # the "uses" edges
    assert {o.country for o in of_type(objects, "location")} == {"CO", "CR", "US", "NL"}
    assert [o.value for o in of_type(objects, "email-addr")] == ["ivan@example.org"]
    infrastructure = of_type(objects, "infrastructure")
    assert {identifier_of(o) for o in infrastructure} == {
        ("phone", "+50688887777"),
        ("container", "MSCU1234565"),
        ("flight", "CM0401"),
    }
    assert {o.name for o in infrastructure} == {"+506 8888 7777", "MSCU 123456 5", "CM 401"}
    assert len(of_type(objects, "extension-definition")) == 1


def test_stix_identifiers_carry_a_property_extension_that_the_bundle_defines(graph, tmp_path):
    content = stix_content(graph)
    bundle = json.loads(content)
    (definition,) = [o for o in bundle["objects"] if o["type"] == "extension-definition"]
    # The validator checks each object against the JSON schema named after its extension.
    (tmp_path / f"{definition['id']}.json").write_text(definition["schema"])
    carriers = [
        o for o in bundle["objects"] if "extensions" in o and o["type"] != "marking-definition"
    ]
    tampered = copy.deepcopy(bundle)
    next(o for o in tampered["objects"] if o["type"] == "infrastructure")["extensions"][
        definition["id"]
    ]["identifier_type"] = "banana"

    assert definition["id"] == exports.IDENTIFIER_EXTENSION_ID
    assert definition["extension_types"] == ["property-extension"]
    assert {o["type"] for o in carriers} == {"infrastructure"}
    assert all(
        o["extensions"][definition["id"]]["extension_type"] == "property-extension"
        for o in carriers
    )
    assert strict_validation_errors(content, schema_dir=str(tmp_path)) == []
    errors = strict_validation_errors(json.dumps(tampered).encode(), schema_dir=str(tmp_path))
    assert len(errors) == 1 and "banana" in errors[0]


def test_stix_identifier_types_cover_every_identifier_and_conveyance_of_the_graph():
    from network_analysis.graph import CONVEYANCES, SHIPMENT_IDENTIFIERS

    nominal = {"phone", "email", "address", "document", "registration"}
    kinds = nominal | set(SHIPMENT_IDENTIFIERS.values()) | set(CONVEYANCES.values())

    assert set(exports.IDENTIFIER_TYPES) == kinds - {"email"}  # e-mail: the standard email-addr


def test_stix_export_credits_jointops_and_links_actors_to_what_they_use(graph):
    objects = stix_objects(graph)
    by_id = {o.id: o for o in objects}

    (author,) = of_type(objects, "identity")
    assert (author.name, author.identity_class) == ("JointOps", "organization")
    sdos = [o for o in objects if o.type in SDO_TYPES]
    assert all(o.created_by_ref == author.id for o in sdos)
    uses = {
        (by_id[r.source_ref].name, r.relationship_type, identifier_of(by_id[r.target_ref]))
        for r in of_type(objects, "relationship")
    }
    assert uses == {
        (IVAN, "uses", ("phone", "+50688887777")),
        (IVAN, "related-to", ("email", "ivan@example.org")),
        (MOHAMMED, "uses", ("phone", "+50688887777")),
    }
    ivan = next(o for o in of_type(objects, "threat-actor") if o.name == IVAN)
    assert ivan.external_references[0].external_id == "actor:1"


def test_stix_sighting_of_a_red_hit_is_marked_tlp_red(graph):
    objects = stix_objects(graph)
    by_id = {o.id: o for o in objects}

    red = [s for s in of_type(objects, "sighting") if s.description == "OP-ALPHA#2"]
    assert len(red) == 2
    assert all(s.object_marking_refs == [stix2.TLP_RED.id] for s in red)
    assert all(by_id[s.where_sighted_refs[0]].country == "US" for s in red)
    (amber,) = [s for s in of_type(objects, "sighting") if s.description == "OP-ALPHA#1"]
    assert amber.object_marking_refs == [stix2.TLP_AMBER.id]
    assert stix2.TLP_RED.id in by_id  # the marking definitions travel with the bundle


def test_stix_sighting_of_an_amber_strict_hit_keeps_amber_strict(graph):
    graph.nodes["hit:1"]["marking"] = "AMBER_STRICT"

    objects = stix_objects(graph)
    by_id = {o.id: o for o in objects}

    (sighting,) = [s for s in of_type(objects, "sighting") if s.description == "OP-ALPHA#1"]
    # TLP 1.0 has no AMBER+STRICT: the TLP 2.0 marking of the OASIS common objects.
    assert sighting.object_marking_refs == [TLP_AMBER_STRICT]
    assert by_id[TLP_AMBER_STRICT].name == "TLP:AMBER+STRICT"
    tlp2 = by_id[TLP_AMBER_STRICT].extensions[exports.TLP_2_EXTENSION_ID]
    assert tlp2 == {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}


def test_stix_export_has_stable_ids(graph):
    first = {o.id for o in stix_objects(graph)}
    second = {o.id for o in stix_objects(graph)}

    assert first == second


def test_stix_sighting_without_a_country_is_sighted_by_jointops(graph):
    graph.nodes["hit:1"]["country"] = ""

    objects = stix_objects(graph)

    (author,) = of_type(objects, "identity")
    (sighting,) = [s for s in of_type(objects, "sighting") if s.description == "OP-ALPHA#1"]
    assert sighting.where_sighted_refs == [author.id]


@pytest.mark.parametrize("fmt", ["csv", "", "GEXF"])
def test_unknown_export_format_is_refused(graph, fmt):
    assert fmt not in EXPORT_FORMATS
    with pytest.raises(ValueError):
        export_graph(graph, fmt)


@pytest.mark.parametrize("module", [reports, exports, report_pdf, context])
def test_docstring_examples(module):
    result = doctest.testmod(module)

    assert result.attempted > 0 and result.failed == 0


# A real run: both editions as the service computes them, and how they are served


@pytest.fixture
def finished_run(planted_operation, analyst):
    synthetic.plant(planted_operation, hits=12, cells=2, per_cell=3, restricted_share=0.3, seed=3)
    run = services.run_create(actor=analyst, operations=[planted_operation], parameters=None)
    return services.run_execute(run.pk)


def download(user, path: str):
    client = Client()
    client.force_login(user)
    return client.get(path)


@pytest.mark.parametrize("edition", ["full", "redacted"])
def test_stix_export_of_a_run_passes_the_strict_validator_and_a_fresh_parser(
    finished_run, analyst, edition, tmp_path
):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/export.stix?edition={edition}")
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_bytes(response.content)

    cli = subprocess.run(
        [sys.executable, "-m", "stix2validator.scripts.stix2_validator"]
        + ["--strict", "--enforce-refs", "--version", "2.1", "--silent", str(bundle_file)],
        capture_output=True,
        timeout=300,
    )
    counts = parsed_in_a_fresh_process(response.content, tmp_path)

    assert response.status_code == 200
    assert strict_validation_errors(response.content) == []
    assert cli.returncode == 0, cli.stdout.decode()[-1500:]
    assert counts["infrastructure"] > 0  # the flights
    if edition == "full":
        assert counts["threat-actor"] > 0 and counts["sighting"] > 0
        assert stix2.TLP_RED.id in response.content.decode()
    else:
        assert "threat-actor" not in counts and "sighting" not in counts


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_html_and_pdf_reports_open_in_the_browser(finished_run, analyst, fmt):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/report.{fmt}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="PLANTED-OP-report-full.{fmt}"'
    assert response["Cache-Control"] == "private, no-store"


def test_the_html_report_opens_sandboxed(finished_run, analyst):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/report.html")

    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "<style>" in response.content.decode()  # the inline style sheet is allowed
    assert "style-src 'unsafe-inline'" in policy
    assert "img-src data:" in policy  # the report's pictures


@pytest.mark.parametrize(
    "path, filename",
    [
        ("report.csv", "PLANTED-OP-report-redacted.csv"),
        ("report.json", "PLANTED-OP-report-redacted.json"),
        ("export.stix", "PLANTED-OP-graph-redacted.stix.json"),
        ("export.gexf", "PLANTED-OP-graph-redacted.gexf"),
    ],
)
def test_data_reports_and_exports_are_downloaded(finished_run, analyst, path, filename):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/{path}?edition=redacted")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "Content-Security-Policy" not in response


def test_network_drawing_lays_out_each_part_apart_and_the_same_every_time():
    g = nx.Graph()
    nx.add_path(g, ["a", "b", "c", "d", "e"])
    nx.add_path(g, ["x", "y", "z"])
    g.add_node("alone")

    first, again = figures.packed_layout(g), figures.packed_layout(g)

    boxes = []
    for part in (["a", "b", "c", "d", "e"], ["x", "y", "z"], ["alone"]):
        points = [first[n] for n in part]
        boxes.append(
            (
                min(p[0] for p in points),
                max(p[0] for p in points),
                min(p[1] for p in points),
                max(p[1] for p in points),
            )
        )
    for i, (left, right, low, high) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert right < other[0] or other[1] < left or high < other[2] or other[3] < low
    assert all((first[n] == again[n]).all() for n in g)
