"""Render the post-operation report of an analysis run.

``render_report(results, fmt)`` takes the results dict of one edition of a run ("full" or
"redacted", shaped as in the network_analysis data contract) and returns ``(content,
content_type)``:

- ``html``: a self-contained page to read in the browser and print (template
  ``network_analysis/report.html``; its pictures are PNG ``data:`` URIs);
- ``pdf``: the same report laid out by ReportLab (``network_analysis.report_pdf``);
- ``csv``: one tidy table ``section,key,label,metric,value`` with one row per number;
- ``json``: the results dict itself.

The HTML and PDF share one description of the report: :func:`report_sections` turns the
results into plain sections of blocks (facts, sentences, text tables, pictures), which the
template and the PDF builder only lay out, so both say the same thing. Nothing here filters
data: the edition was redacted when the results were computed. What the report leaves out is
padding: a section or table with nothing to show is not there at all, long tables stop at
``MAX_ROWS`` (the CSV and JSON reports hold everything), communities are summarised.
"""

import base64
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from network_analysis import figures
from network_analysis.figures import Chart
from network_analysis.formats import REPORT_FORMATS

EDITION_LABELS = {
    "full": "Full edition",
    "redacted": (
        "Redacted edition — for wider distribution: no nominal data, "
        "no TLP:RED or TLP:AMBER+STRICT hits"
    ),
}
# The report's marking when the results predate it (context.MARKING_FLOOR).
FALLBACK_MARKING = {"full": "AMBER", "redacted": "GREEN"}
MARKING_LABELS = {
    "CLEAR": "TLP:CLEAR",
    "GREEN": "TLP:GREEN",
    "AMBER": "TLP:AMBER",
    "AMBER_STRICT": "TLP:AMBER+STRICT",
    "RED": "TLP:RED",
}
# TLP 2.0's colours: the label in its colour on black.
MARKING_COLOURS = {
    "CLEAR": "#ffffff",
    "GREEN": "#33ff00",
    "AMBER": "#ffc000",
    "AMBER_STRICT": "#ffc000",
    "RED": "#ff2b2b",
}
ARROW = " → "
CSV_HEADER = ("section", "key", "label", "metric", "value")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 25  # rows of a table in the report; the CSV and JSON reports have them all
SUMMARY_ROWS = 5  # commodities and routes in the executive summary
COMMUNITIES_SHOWN = 5
MEMBERS_SHOWN = 6
MAP_LEGS = figures.MAX_LEGS


@dataclass(frozen=True)
class TextTable:
    """Rows of text under column headings; ``weights`` are relative column widths in the PDF;
    ``more`` says what was left out of a long table."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    heading: str = ""
    weights: tuple[int, ...] = ()
    more: str = ""
    kind: str = "table"


@dataclass(frozen=True)
class Facts:
    """Headline figures: ``(label, value)`` pairs, shown side by side."""

    pairs: list[tuple[str, str]]
    kind: str = "facts"


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    heading: str = ""
    kind: str = "bullets"


@dataclass(frozen=True)
class Text:
    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Picture:
    chart: Chart
    kind: str = "picture"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.chart.png).decode("ascii")


@dataclass(frozen=True)
class Section:
    """A titled part of the report (``level`` 1) or of a part (2); ``key`` is its anchor."""

    key: str
    title: str
    blocks: list = field(default_factory=list)
    level: int = 1
    page_break_after: bool = False


def render_report(results: dict, fmt: str) -> tuple[bytes, str]:
    """Render one edition's ``results`` as ``fmt``; return ``(content, content_type)``.

    Examples
    --------
    >>> content, content_type = render_report({"edition": "full"}, "json")
    >>> content_type, json.loads(content)
    ('application/json', {'edition': 'full'})
    """
    if fmt not in _RENDERERS:
        raise ValueError(f"Unknown report format {fmt!r}; expected one of {REPORT_FORMATS}.")
    renderer, content_type = _RENDERERS[fmt]
    return renderer(results), content_type


def report_title(results: dict) -> str:
    operations = ", ".join(f"{op['code']} ({op['name']})" for op in results["scope"]["operations"])
    return f"Post-operation report: {operations}"


def edition_label(results: dict) -> str:
    return EDITION_LABELS.get(results["edition"], results["edition"])


def report_marking(results: dict) -> str:
    """The report's TLP marking (a ``Marking`` value), chosen when the results were stored."""
    context = results.get("context") or {}
    return context.get("marking") or FALLBACK_MARKING.get(results["edition"], "AMBER")


# Numbers ---------------------------------------------------------------------------------------


def count(value: int) -> str:
    """A whole number with thousands separators: ``12,345``."""
    return f"{value:,}"


def number(value: float) -> str:
    """Thousands separators, at most three decimals, no trailing zeros: ``1,200.5``.

    >>> number(1200.5), number(0.125), number(-0.0001)
    ('1,200.5', '0.125', '0')
    """
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def measure(value: float) -> str:
    """Three significant digits, in scientific notation below 0.001 (a small betweenness
    never prints as 0.0000).

    >>> measure(0.5), measure(0.012345), measure(0.0000123), measure(0), measure(1)
    ('0.500', '0.0123', '1.23e-05', '0', '1.00')
    """
    if value == 0:
        return "0"
    if abs(value) < 0.001 or abs(value) >= 1000:
        return f"{value:.2e}"
    return f"{value:#.3g}".rstrip(".")


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


# Sections --------------------------------------------------------------------------------------


def report_sections(results: dict) -> list[Section]:
    """The report's sections in order, without those that have nothing to show."""
    sections = [
        _summary_section(results),
        *_operation_sections(results),
        *_seizure_sections(results),
        *_network_sections(results),
        _methodology_section(results["methodology"]),
    ]
    return _without_empty(sections)


def _without_empty(sections: list[Section]) -> list[Section]:
    """Drop sub-sections without blocks, then parts with neither blocks nor sub-sections."""
    kept = [s for s in sections if s.level == 1 or s.blocks]
    return [
        s
        for i, s in enumerate(kept)
        if s.blocks or (s.level == 1 and i + 1 < len(kept) and kept[i + 1].level == 2)
    ]


def _capped(
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
    heading: str = "",
    weights: tuple[int, ...] = (),
    limit: int = MAX_ROWS,
    what: str = "rows",
) -> list[TextTable]:
    """A table of at most `limit` rows (none at all without rows)."""
    if not rows:
        return []
    more = ""
    if len(rows) > limit:
        more = f"The first {limit} of {count(len(rows))} {what}; the CSV and JSON reports list all."
    return [TextTable(columns, rows[:limit], heading, weights, more)]


# The executive summary -------------------------------------------------------------------------


def _summary_section(results: dict) -> Section:
    stats = results["statistics"]
    totals = stats["totals"]
    facts = [
        ("Hits", count(totals["hits"])),
        ("Kilograms seized", number(totals["kilograms"])),
        ("Arrests", count(totals["arrests"])),
        ("Countries of seizure", count(len(stats["by_country"]))),
        ("Reporting administrations", count(len(stats["by_agency"]))),
    ]
    days = [row["date"] for row in stats["over_time"]]
    if days:
        facts.append(("Hits made", _span(days[0], days[-1])))
    commodities = [
        (
            row["label"],
            count(row["hits"]),
            number(row["kilograms"]),
            percent(row["kilograms"], totals["kilograms"]),
        )
        for row in stats["by_commodity"][:SUMMARY_ROWS]
    ]
    routes = [
        (_route_label(row), count(row["hits"]), number(row["kilograms"]))
        for row in stats["top_routes"][:SUMMARY_ROWS]
    ]
    findings = notable_findings(results)
    blocks = [
        Facts(facts),
        *([Bullets(findings, "Notable findings")] if findings else []),
        *_capped(
            ("Commodity", "Hits", "Kilograms", "Share of kg"),
            commodities,
            "Top commodities",
            (4, 1, 2, 1),
        ),
        *_capped(("Route", "Hits", "Kilograms"), routes, "Top routes", (4, 1, 2)),
    ]
    if not totals["hits"]:
        blocks.insert(1, Text("No hit is in the scope of this edition."))
    return Section("summary", "Executive summary", blocks, page_break_after=True)


def notable_findings(results: dict) -> list[str]:
    """Sentences on what stands out, each drawn from the results (none when nothing does)."""
    finders = (
        _commodity_finding,
        _country_finding,
        _transit_finding,
        _broker_finding,
        _community_finding,
        _cross_operation_finding,
        _merge_finding,
    )
    return [sentence for finder in finders if (sentence := finder(results))]


def _commodity_finding(results: dict) -> str:
    stats = results["statistics"]
    total = stats["totals"]["kilograms"]
    if not stats["by_commodity"] or not total:
        return ""
    top = stats["by_commodity"][0]
    return (
        f"{top['label']} makes up {percent(top['kilograms'], total)} of the "
        f"{number(total)} kg seized ({number(top['kilograms'])} kg in {count(top['hits'])} hits)."
    )


def _country_finding(results: dict) -> str:
    stats = results["statistics"]
    if not stats["by_country"]:
        return ""
    top = max(stats["by_country"], key=lambda row: (row["hits"], row["kilograms"]))
    hits = stats["totals"]["hits"]
    return (
        f"Most hits were made in {_country_name(top)}: {count(top['hits'])} of {count(hits)} "
        f"({percent(top['hits'], hits)})."
    )


def _transit_finding(results: dict) -> str:
    countries = [c for c in results["network"]["routes"]["countries"] if c["betweenness"] > 0]
    if not countries:
        return ""
    top = max(countries, key=lambda c: (c["betweenness"], c["hits"]))
    return (
        f"{_country_name(top)} is the main transit country: it lies between the most departure "
        f"and destination countries (route betweenness {measure(top['betweenness'])}), on the "
        f"routes of {count(top['hits'])} hits."
    )


def _broker_finding(results: dict) -> str:
    network = results["network"]
    points = {p["id"] for p in network["brokers"]["articulation_points"]}
    ranked = [e for e in network["key_entities"] if e["betweenness"] > 0]
    if not ranked or not stand_out(network["key_entities"]):
        return ""
    top = max(ranked, key=lambda e: (e["id"] in points, e["betweenness"]))
    role = (
        "an articulation point: without it the network falls apart"
        if top["id"] in points
        else "the highest betweenness"
    )
    hits = f", in {count(top['hits'])} hits" if top["hits"] else ""
    return (
        f"The top broker is {top['label']} ({top['kind']}): {role} "
        f"(betweenness {measure(top['betweenness'])}){hits}."
    )


def _community_finding(results: dict) -> str:
    communities = results["network"]["communities"]
    if not communities:
        return ""
    largest = max(communities, key=lambda c: c["size"])
    return (
        f"{count(len(communities))} communities of linked entities; the largest has "
        f"{count(largest['size'])} members ({_members(largest, results, 3)}) and appears in "
        f"{count(_hit_count(largest))} hits."
    )


def _cross_operation_finding(results: dict) -> str:
    links = results["network"]["cross_operation_links"]
    if not links:
        return ""
    first = links[0]
    return (
        f"{count(len(links))} entities appear in more than one operation, such as "
        f"{first['label']} ({', '.join(first['operations'])})."
    )


def _merge_finding(results: dict) -> str:
    merged = (results.get("identity") or {}).get("merged_entities") or [
        e for e in results["network"]["key_entities"] if e.get("merged_because")
    ]
    if not merged:
        return ""
    first = merged[0]
    return (
        f"{count(len(merged))} entities join several reports without an analyst's decision, "
        f"such as {first['label']} (merged because: {_reasons(first['merged_because'][:1])})."
    )


# The operations --------------------------------------------------------------------------------


def _operation_sections(results: dict) -> list[Section]:
    operations = (results.get("context") or {}).get("operations") or []
    if not operations:
        return []
    if len(operations) == 1:
        return [Section("operation", "The operation", _operation_blocks(operations[0]))]
    return [
        Section("operation", "The operations"),
        *(
            Section(f"operation-{i}", f"{op['code']}: {op['name']}", _operation_blocks(op), 2)
            for i, op in enumerate(operations, 1)
        ),
    ]


def _operation_blocks(operation: dict) -> list:
    zone = ZoneInfo(operation["time_zone"])
    lead = operation["lead_agency"]
    facts = [
        ("Operation", f"{operation['code']}: {operation['name']}"),
        ("Focus", operation["focus"]),
        ("Status", operation["status"]),
        ("Lead administration", _agency_label(lead)),
        (
            "Period",
            _span(
                _local(operation["planned_start"], zone, "%Y-%m-%d"),
                _local(operation["planned_end"], zone, "%Y-%m-%d"),
            ),
        ),
        ("Time zone", operation["time_zone"]),
    ]
    phases = [
        (
            phase["label"],
            _local(phase["starts_at"], zone, "%Y-%m-%d %H:%M"),
            _local(phase["ends_at"], zone, "%Y-%m-%d %H:%M"),
        )
        for phase in operation["phases"]
    ]
    participants = [
        (p["acronym"], p["name"], p["country"] or "international", p["role_label"])
        for p in operation["participants"]
    ]
    return [
        Facts(facts),
        *_capped(
            ("Phase", f"Start ({operation['time_zone']})", "End"), phases, "Phases", (2, 2, 2)
        ),
        *_capped(
            ("Administration", "Name", "Country", "Role"),
            participants,
            "Participating administrations",
            (2, 5, 2, 2),
            limit=100,
        ),
    ]


def _local(moment: str, zone: ZoneInfo, pattern: str) -> str:
    return datetime.fromisoformat(moment).astimezone(zone).strftime(pattern)


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} to {last}"


# Seizures --------------------------------------------------------------------------------------


def _seizure_sections(results: dict) -> list[Section]:
    stats = results["statistics"]
    routes = results["network"]["routes"]
    seizure_map = figures.seizure_map(stats["by_country"], routes["edges"])
    intro = []
    if seizure_map:
        intro = [
            Picture(seizure_map),
            Text(
                "Countries are coloured by the hits made there; the arrows are the "
                f"{MAP_LEGS} busiest legs of the shipments' routes, as thick as their hits."
            ),
        ]
    commodities = [
        (
            row["label"],
            row["group"],
            count(row["hits"]),
            number(row["kilograms"]),
            "; ".join(f"{number(q['quantity'])} {q['unit']}" for q in row["quantities"]),
        )
        for row in stats["by_commodity"]
    ]
    return [
        Section("seizures", "Seizures", intro),
        Section(
            "by_commodity",
            "By commodity",
            [
                *_pictures(
                    figures.bar_chart(
                        [(r["label"], r["kilograms"]) for r in stats["by_commodity"]],
                        "Kilograms seized by commodity",
                        "kg",
                    )
                ),
                *_capped(
                    ("Commodity", "Group", "Hits", "Kilograms", "Quantities in native units"),
                    commodities,
                    weights=(3, 2, 1, 2, 3),
                ),
            ],
            2,
        ),
        _breakdown("by_country", "By country", "Country", stats["by_country"], _country_name),
        _breakdown("by_mode", "By mode of transport", "Mode", stats["by_mode"], _field("label")),
        _breakdown(
            "by_detection", "By detection method", "Method", stats["by_detection"], _field("label")
        ),
        _breakdown(
            "by_concealment",
            "By concealment",
            "Concealment",
            stats["by_concealment"],
            _field("concealment"),
        ),
        _breakdown(
            "by_agency",
            "Per participating agency",
            "Agency",
            stats["by_agency"],
            _agency_name,
            figures.bar_chart(
                [(r["agency"], r["hits"]) for r in stats["by_agency"]], "Hits by agency", "hits"
            ),
        ),
        _breakdown(
            "over_time",
            "Over time",
            "Date",
            stats["over_time"],
            _field("date"),
            figures.time_chart(stats["over_time"]),
        ),
        _breakdown("top_routes", "Top routes", "Route", stats["top_routes"], _route_label),
    ]


def _breakdown(
    key: str,
    title: str,
    column: str,
    rows: list[dict],
    label: Callable[[dict], str],
    chart: Chart | None = None,
) -> Section:
    table_rows = [(label(r), count(r["hits"]), number(r["kilograms"])) for r in rows]
    blocks = _capped((column, "Hits", "Kilograms"), table_rows, weights=(4, 1, 2))
    return Section(key, title, [*_pictures(chart), *blocks] if blocks else [], 2)


def _pictures(chart: Chart | None) -> list[Picture]:
    return [Picture(chart)] if chart else []


# The network -----------------------------------------------------------------------------------


def _network_sections(results: dict) -> list[Section]:
    network = results["network"]
    graph = network["graph"]
    if not graph["nodes"]:
        return []
    entities = network["key_entities"]
    kinds = ", ".join(f"{count(n)} {kind}" for kind, n in sorted(graph["nodes_by_kind"].items()))
    overview = [
        Facts(
            [
                ("Nodes", count(graph["nodes"])),
                ("Links", count(graph["edges"])),
                ("Connected components", count(graph["components"])),
                ("Largest component", f"{count(graph['largest_component'])} nodes"),
            ]
        ),
        Text(f"Nodes by kind: {kinds}."),
        *_pictures(
            figures.network_drawing(entities, network.get("key_links", []), network["communities"])
        ),
    ]
    return [
        Section("network", "Network", overview),
        Section("key_entities", "Key entities", _key_entity_blocks(entities), 2),
        Section("merged_entities", "Merged entities", _merged_blocks(results), 2),
        Section("communities", "Communities", _community_blocks(results), 2),
        Section("brokers", "Brokers", _broker_blocks(network), 2),
        Section("route_network", "Route network", _route_blocks(network["routes"]), 2),
        Section(
            "cross_operation_links",
            "Cross-operation links",
            _capped(
                ("Entity", "Kind", "Operations"),
                [
                    (link["label"], link["kind"], ", ".join(link["operations"]))
                    for link in network["cross_operation_links"]
                ],
                weights=(3, 1, 2),
            ),
            2,
        ),
    ]


def stand_out(entities: list[dict]) -> bool:
    """Whether the ranking of key entities says anything: not when all have equal scores."""
    scores = {(e["betweenness"], e["degree"], e["pagerank"], e["closeness"]) for e in entities}
    return len(entities) == 1 or len(scores) > 1


def _key_entity_blocks(entities: list[dict]) -> list:
    if not entities:
        return []
    if not stand_out(entities):
        return [
            Text(
                f"No entity stands out: the {count(len(entities))} most central have equal scores."
            )
        ]
    rows = [
        (
            _entity_label(e),
            e["kind"],
            measure(e["betweenness"]),
            measure(e["degree"]),
            measure(e["pagerank"]),
            measure(e["closeness"]),
            count(e["core"]),
            count(e["hits"]),
        )
        for e in entities
    ]
    columns = ("Entity", "Kind", "Betweenness", "Degree", "PageRank", "Closeness", "Core", "Hits")
    return [
        Text("Ranked by betweenness (how often an entity lies between two others), then degree."),
        *_capped(columns, rows, weights=(4, 2, 3, 2, 3, 3, 2, 2), what="entities"),
    ]


def _entity_label(entity: dict) -> str:
    reasons = entity.get("merged_because")
    return (
        f"{entity['label']} (merged because: {_reasons(reasons)})" if reasons else entity["label"]
    )


def _reasons(reasons: list, limit: int = 3) -> str:
    """The evidence of an entity's merges ({rule, evidence} or text), each said once."""
    texts = list(
        dict.fromkeys(
            r if isinstance(r, str) else str(r.get("evidence") or r.get("rule") or r)
            for r in reasons
        )
    )
    rest = f" and {count(len(texts) - limit)} more" if len(texts) > limit else ""
    return "; ".join(texts[:limit]) + rest


def _merged_blocks(results: dict) -> list:
    """The entities that join several reports without an analyst's decision, and why."""
    merged = (results.get("identity") or {}).get("merged_entities") or []
    rows = [
        (
            entity["label"],
            count(entity["actors"]),
            ", ".join(entity["names"]),
            _reasons(entity["merged_because"]),
        )
        for entity in merged
    ]
    return [
        *(
            [
                Text(
                    f"{count(len(merged))} entities join several reports; the analyst may split any."
                )
            ]
            if merged
            else []
        ),
        *_capped(
            ("Entity", "Reports", "Names", "Merged because"),
            rows,
            weights=(3, 1, 4, 4),
            what="merged entities",
        ),
    ]


def _community_blocks(results: dict) -> list:
    communities = results["network"]["communities"]
    if not communities:
        return []
    largest = sorted(communities, key=lambda c: (-c["size"], c["id"]))[:COMMUNITIES_SHOWN]
    in_communities = sum(c["size"] for c in communities)
    rows = [
        (str(c["id"]), count(c["size"]), _members(c, results, MEMBERS_SHOWN), count(_hit_count(c)))
        for c in largest
    ]
    shown = "" if len(communities) <= COMMUNITIES_SHOWN else f" The {len(largest)} largest:"
    return [
        Text(
            f"{count(len(communities))} communities (Louvain) of two or more linked entities, "
            f"{count(in_communities)} entities in all.{shown}"
        ),
        TextTable(("Community", "Size", "Main members", "Hits"), rows, weights=(2, 1, 8, 1)),
    ]


def _members(community: dict, results: dict, limit: int) -> str:
    """Up to `limit` members, the most central first, and how many more."""
    rank = {e["id"]: i for i, e in enumerate(results["network"]["key_entities"])}
    members = sorted(community["members"], key=lambda m: (rank.get(m["id"], len(rank)), m["label"]))
    names = ", ".join(m["label"] for m in members[:limit])
    rest = len(members) - limit
    return f"{names} and {count(rest)} more" if rest > 0 else names


def _hit_count(community: dict) -> int:
    hits = community["hits"]
    return hits if isinstance(hits, int) else len(hits)


def _broker_blocks(network: dict) -> list:
    """How many articulation points and bridges, and those among the key entities (the others
    are mostly leaves: a shipment hanging off its flight)."""
    brokers = network["brokers"]
    points, bridges = brokers["articulation_points"], brokers["bridges"]
    if not points and not bridges:
        return []
    entities = network["key_entities"] if stand_out(network["key_entities"]) else []
    rank = {e["id"]: i for i, e in enumerate(entities)}
    key_points = sorted((p for p in points if p["id"] in rank), key=lambda p: rank[p["id"]])
    key_bridges = [b for b in bridges if b["source"] in rank and b["target"] in rank]
    return [
        Text(
            f"{count(len(points))} articulation points (entities whose removal splits the "
            f"network) and {count(len(bridges))} bridges (links whose removal does); below, "
            "those among the key entities."
        ),
        *_capped(
            ("Entity", "Betweenness"),
            [
                (p["label"], measure(network["key_entities"][rank[p["id"]]]["betweenness"]))
                for p in key_points
            ],
            "Articulation points",
            (3, 1),
            what="articulation points",
        ),
        *_capped(
            ("Between", "And"),
            [(b["source_label"], b["target_label"]) for b in key_bridges],
            "Bridges",
            (1, 1),
            what="bridges",
        ),
    ]


def _route_blocks(routes: dict) -> list:
    countries = [
        (_country_name(c), measure(c["betweenness"]), count(c["hits"]), number(c["kilograms"]))
        for c in routes["countries"]
    ]
    legs = [
        (
            f"{e['source']}{ARROW}{e['target']}",
            count(e["hits"]),
            number(e["kilograms"]),
            measure(e["edge_betweenness"]),
        )
        for e in routes["edges"]
    ]
    return [
        *_capped(
            ("Country", "Betweenness", "Hits", "Kilograms"),
            countries,
            "Countries",
            (4, 2, 1, 2),
            what="countries",
        ),
        *_capped(
            ("Leg", "Hits", "Kilograms", "Edge betweenness"),
            legs,
            "Legs",
            (3, 1, 2, 2),
            what="legs",
        ),
    ]


# Methodology -----------------------------------------------------------------------------------


# Rules the measures state in the methodology, when they do: (key, label).
METHOD_RULES = (
    ("key_entities", "Key entities"),
    ("brokers", "Brokers"),
    ("routes", "Route measures"),
    ("components", "Components"),
)


def _methodology_section(methodology: dict) -> Section:
    betweenness = methodology["betweenness"]
    resolution = methodology["resolution"]
    parameters = methodology["parameters"]
    automatic = resolution.get("automatic_merges") or {}
    rows = [
        ("Parameters", ", ".join(f"{k} = {v}" for k, v in sorted(parameters.items())) or "None."),
        ("Betweenness", _betweenness_method(betweenness)),
        *((label, methodology[key]) for key, label in METHOD_RULES if methodology.get(key)),
        ("Backend", methodology["backend"]),
        ("NetworkX version", methodology["networkx"]),
        ("Entity resolution: minimum score", number(resolution["min_score"])),
        *(
            [("Entity resolution: automatic merges", _by_rule(automatic))]
            if any(automatic.values())
            else []
        ),
        ("Entity resolution: confirmed merges", count(resolution["confirmed_merges"])),
        ("Entity resolution: identifier links", count(resolution["identifier_links"])),
        *([("Entity resolution: rule", resolution["rule"])] if resolution.get("rule") else []),
        ("Fingerprint", methodology["fingerprint"]),
        ("Generated at", methodology["generated_at"]),
    ]
    notes = [note for note in (methodology["excluded"], methodology["edition_note"]) if note]
    return Section(
        "methodology",
        "Methodology",
        [TextTable(("Setting", "Value"), rows, weights=(1, 3)), *(Text(n) for n in notes)],
    )


def _betweenness_method(betweenness: dict) -> str:
    engine = f", {betweenness['engine']}" if betweenness.get("engine") else ""
    if betweenness["exact"]:
        return f"exact{engine}"
    text = f"sampled (k = {betweenness['k']}, seed = {betweenness['seed']}{engine})"
    error = betweenness.get("error")
    if error:
        text += (
            f"; relative standard error of the top {error['top']}: median "
            f"{percent(error['relative_error_median'], 1)}, largest "
            f"{percent(error['relative_error_max'], 1)}"
        )
    return text


def _by_rule(merges: dict[str, int]) -> str:
    return ", ".join(f"{rule.replace('_', ' ')}: {count(n)}" for rule, n in merges.items() if n)


def _field(name: str) -> Callable[[dict], str]:
    return lambda row: str(row[name])


def _country_name(row: dict) -> str:
    return f"{row['name']} ({row['country']})" if row["name"] else row["country"]


def _agency_name(row: dict) -> str:
    return f"{row['agency']} ({row['name']})" if row["name"] else row["agency"]


def _agency_label(agency: dict) -> str:
    return f"{agency['acronym']} ({agency['name']})"


def _route_label(row: dict) -> str:
    return ARROW.join(row["route"])


def generated_on(results: dict) -> str:
    moment = results["methodology"]["generated_at"]
    try:
        return datetime.fromisoformat(moment).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return moment


def contents(sections: list[Section]) -> list[tuple[Section, list[Section]]]:
    """The table of contents: each part with its sub-sections."""
    parts: list[tuple[Section, list[Section]]] = []
    for section in sections:
        if section.level == 1 or not parts:
            parts.append((section, []))
        else:
            parts[-1][1].append(section)
    return parts


# HTML ------------------------------------------------------------------------------------------


def _html(results: dict) -> bytes:
    marking = report_marking(results)
    sections = report_sections(results)
    context = {
        "title": report_title(results),
        "edition": edition_label(results),
        "edition_key": results["edition"],
        "marking": MARKING_LABELS[marking],
        "marking_colour": MARKING_COLOURS[marking],
        "hits_in_scope": count(results["scope"]["hits"]),
        "generated_at": generated_on(results),
        "sections": sections,
        "contents": contents(sections),
    }
    return render_to_string("network_analysis/report.html", context).encode("utf-8")


# CSV -------------------------------------------------------------------------------------------

# (section, field holding the key, field holding the label) of the simple breakdowns.
_CSV_BREAKDOWNS = (
    ("by_country", "country", "name"),
    ("by_mode", "mode", "label"),
    ("by_detection", "method", "label"),
    ("by_concealment", "concealment", "concealment"),
    ("by_agency", "agency", "name"),
    ("over_time", "date", "date"),
)
_HITS_KILOGRAMS = ("hits", "kilograms")


def _csv(results: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(tuple(_csv_cell(cell) for cell in row) for row in csv_rows(results))
    return buffer.getvalue().encode("utf-8")


def csv_rows(results: dict) -> Iterator[tuple]:
    """``(section, key, label, metric, value)`` for every number of the report."""
    stats = results["statistics"]
    yield from _metrics(
        "totals", "total", "Total", stats["totals"], ("hits", "kilograms", "arrests")
    )
    for row in stats["by_commodity"]:
        key, label = row["commodity"], row["label"]
        yield from _metrics("by_commodity", key, label, row, _HITS_KILOGRAMS)
        for q in row["quantities"]:
            yield ("by_commodity", key, label, f"quantity_{q['unit']}", q["quantity"])
    for section, key_field, label_field in _CSV_BREAKDOWNS:
        for row in stats[section]:
            yield from _metrics(section, row[key_field], row[label_field], row, _HITS_KILOGRAMS)
    for row in stats["top_routes"]:
        key, label = ">".join(row["route"]), _route_label(row)
        yield from _metrics("top_routes", key, label, row, _HITS_KILOGRAMS)
    yield from _network_csv_rows(results["network"])


def _network_csv_rows(network: dict) -> Iterator[tuple]:
    graph = network["graph"]
    yield from _metrics(
        "graph", "graph", "Graph", graph, ("nodes", "edges", "components", "largest_component")
    )
    for kind, count in sorted(graph["nodes_by_kind"].items()):
        yield ("nodes_by_kind", kind, kind, "nodes", count)
    measures = ("degree", "betweenness", "pagerank", "closeness", "core", "hits")
    for entity in network["key_entities"]:
        yield from _metrics("key_entity", entity["id"], entity["label"], entity, measures)
    for community in network["communities"]:
        cid = community["id"]
        yield ("community", cid, f"Community {cid}", "size", community["size"])
        yield from (("community", cid, m["label"], "member", 1) for m in community["members"])
        if isinstance(community["hits"], int):  # a count rather than the hits' labels
            yield ("community", cid, f"Community {cid}", "hits", community["hits"])
        else:
            yield from (("community", cid, hit, "hit", 1) for hit in community["hits"])
    for point in network["brokers"]["articulation_points"]:
        yield ("articulation_point", point["id"], point["label"], "articulation_point", 1)
    for bridge in network["brokers"]["bridges"]:
        key = f"{bridge['source']}|{bridge['target']}"
        label = f"{bridge['source_label']} — {bridge['target_label']}"
        yield ("bridge", key, label, "bridge", 1)
    for country in network["routes"]["countries"]:
        metrics = ("betweenness", *_HITS_KILOGRAMS)
        yield from _metrics("route_country", country["country"], country["name"], country, metrics)
    for edge in network["routes"]["edges"]:
        key, label = (
            f"{edge['source']}>{edge['target']}",
            f"{edge['source']}{ARROW}{edge['target']}",
        )
        yield from _metrics("route_edge", key, label, edge, (*_HITS_KILOGRAMS, "edge_betweenness"))
    for link in network["cross_operation_links"]:
        operations = "|".join(link["operations"])
        yield ("cross_operation_link", link["id"], link["label"], "operations", operations)


def _metrics(section: str, key, label, row: dict, metrics: tuple[str, ...]) -> Iterator[tuple]:
    return ((section, key, label, metric, row[metric]) for metric in metrics)


def _csv_cell(value):
    """Numbers as they are; text that a spreadsheet would run as a formula gets a ``'``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


# JSON ------------------------------------------------------------------------------------------


def _json(results: dict) -> bytes:
    return json.dumps(results, indent=2, ensure_ascii=False).encode("utf-8")


# PDF -------------------------------------------------------------------------------------------


def _pdf(results: dict) -> bytes:
    from network_analysis.report_pdf import render_pdf  # it lays out report_sections

    return render_pdf(results)


_RENDERERS = {
    "html": (_html, "text/html; charset=utf-8"),
    "pdf": (_pdf, "application/pdf"),
    "csv": (_csv, "text/csv; charset=utf-8"),
    "json": (_json, "application/json"),
}
