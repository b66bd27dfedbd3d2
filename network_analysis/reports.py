"""Render the post-operation report of an analysis run.

``render_report(results, fmt)`` takes the results dict of one edition of a run ("full" or
"redacted", shaped as in the network_analysis data contract) and returns ``(content,
content_type)``:

- ``html``: a self-contained, printable page (template ``network_analysis/report.html``);
- ``pdf``: the same sections as tables, with matplotlib charts, laid out by ReportLab;
- ``csv``: one tidy table ``section,key,label,metric,value`` with one row per number;
- ``json``: the results dict itself.

The HTML and PDF share one description of the report: ``report_sections`` turns the results into
plain sections of text tables, which the template and the PDF builder only lay out. Nothing here
filters data: the edition was redacted when the results were computed.
"""

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
import matplotlib.dates as mdates
from django.template.loader import render_to_string
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from network_analysis.formats import REPORT_FORMATS

EDITION_LABELS = {
    "full": "Full edition",
    "redacted": (
        "Redacted edition — for wider distribution: no nominal data, "
        "no TLP:RED or TLP:AMBER+STRICT hits"
    ),
}
ARROW = " → "
CSV_HEADER = ("section", "key", "label", "metric", "value")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_BARS = 15


@dataclass(frozen=True)
class TextTable:
    """Rows of text under column headings; ``weights`` are relative column widths in the PDF."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    heading: str = ""
    weights: tuple[int, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``key`` names it (HTML anchor, where the PDF puts charts)."""

    key: str
    title: str
    tables: list[TextTable]
    notes: list[str] = field(default_factory=list)


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


# Sections --------------------------------------------------------------------------------------


def report_sections(results: dict) -> list[Section]:
    """The report's sections, in order, as text tables."""
    stats, network = results["statistics"], results["network"]
    return [
        _totals_section(stats["totals"]),
        _commodity_section(stats["by_commodity"]),
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
            "by_agency", "Per participating agency", "Agency", stats["by_agency"], _agency_name
        ),
        _breakdown("over_time", "Over time", "Date", stats["over_time"], _field("date")),
        _breakdown("top_routes", "Top routes", "Route", stats["top_routes"], _route_label),
        _network_section(network),
        _methodology_section(results["methodology"]),
    ]


def _totals_section(totals: dict) -> Section:
    row = (_count(totals["hits"]), _number(totals["kilograms"]), _count(totals["arrests"]))
    return Section("totals", "Totals", [TextTable(("Hits", "Kilograms", "Arrests"), [row])])


def _commodity_section(rows: list[dict]) -> Section:
    columns = ("Commodity", "Group", "Hits", "Kilograms", "Quantities in native units")
    table_rows = [
        (
            row["label"],
            row["group"],
            _count(row["hits"]),
            _number(row["kilograms"]),
            "; ".join(f"{_number(q['quantity'])} {q['unit']}" for q in row["quantities"]),
        )
        for row in rows
    ]
    return Section(
        "by_commodity", "By commodity", [TextTable(columns, table_rows, weights=(3, 2, 1, 2, 3))]
    )


def _breakdown(
    key: str, title: str, column: str, rows: list[dict], label: Callable[[dict], str]
) -> Section:
    table_rows = [(label(r), _count(r["hits"]), _number(r["kilograms"])) for r in rows]
    return Section(key, title, [TextTable((column, "Hits", "Kilograms"), table_rows)])


def _network_section(network: dict) -> Section:
    return Section(
        "network",
        "Network findings",
        [
            *_graph_tables(network["graph"]),
            _key_entities_table(network["key_entities"]),
            _communities_table(network["communities"]),
            *_broker_tables(network["brokers"]),
            *_route_network_tables(network["routes"]),
            _cross_operation_table(network["cross_operation_links"]),
        ],
    )


def _graph_tables(graph: dict) -> list[TextTable]:
    measures = [
        ("Nodes", _count(graph["nodes"])),
        ("Edges", _count(graph["edges"])),
        ("Connected components", _count(graph["components"])),
        ("Largest component (nodes)", _count(graph["largest_component"])),
    ]
    kinds = [(kind, _count(n)) for kind, n in sorted(graph["nodes_by_kind"].items())]
    return [
        TextTable(("Measure", "Value"), measures, heading="Graph size"),
        TextTable(("Kind", "Nodes"), kinds, heading="Nodes by kind"),
    ]


def _key_entities_table(entities: list[dict]) -> TextTable:
    columns = ("Entity", "Kind", "Degree", "Betweenness", "PageRank", "Closeness", "Core", "Hits")
    rows = [
        (
            e["label"],
            e["kind"],
            _measure(e["degree"]),
            _measure(e["betweenness"]),
            _measure(e["pagerank"]),
            _measure(e["closeness"]),
            _count(e["core"]),
            _count(e["hits"]),
        )
        for e in entities
    ]
    return TextTable(columns, rows, heading="Key entities", weights=(5, 2, 3, 3, 3, 3, 2, 2))


def _communities_table(communities: list[dict]) -> TextTable:
    rows = [
        (
            str(c["id"]),
            _count(c["size"]),
            ", ".join(m["label"] for m in c["members"]),
            ", ".join(c["hits"]),
        )
        for c in communities
    ]
    return TextTable(
        ("Community", "Size", "Members", "Hits"), rows, heading="Communities", weights=(2, 1, 6, 4)
    )


def _broker_tables(brokers: dict) -> list[TextTable]:
    points = [(p["label"],) for p in brokers["articulation_points"]]
    bridges = [(b["source_label"], b["target_label"]) for b in brokers["bridges"]]
    return [
        TextTable(("Entity",), points, heading="Brokers: articulation points"),
        TextTable(("Between", "And"), bridges, heading="Brokers: bridges", weights=(1, 1)),
    ]


def _route_network_tables(routes: dict) -> list[TextTable]:
    countries = [
        (_country_name(c), _measure(c["betweenness"]), _count(c["hits"]), _number(c["kilograms"]))
        for c in routes["countries"]
    ]
    edges = [
        (
            f"{e['source']}{ARROW}{e['target']}",
            _count(e["hits"]),
            _number(e["kilograms"]),
            _measure(e["edge_betweenness"]),
        )
        for e in routes["edges"]
    ]
    return [
        TextTable(
            ("Country", "Betweenness", "Hits", "Kilograms"),
            countries,
            heading="Route network: countries",
        ),
        TextTable(
            ("Route edge", "Hits", "Kilograms", "Edge betweenness"),
            edges,
            heading="Route network: edges",
        ),
    ]


def _cross_operation_table(links: list[dict]) -> TextTable:
    rows = [(link["label"], link["kind"], ", ".join(link["operations"])) for link in links]
    return TextTable(
        ("Entity", "Kind", "Operations"), rows, heading="Cross-operation links", weights=(3, 1, 2)
    )


def _methodology_section(methodology: dict) -> Section:
    betweenness = methodology["betweenness"]
    resolution = methodology["resolution"]
    parameters = methodology["parameters"]
    rows = [
        ("Parameters", ", ".join(f"{k} = {v}" for k, v in sorted(parameters.items())) or "None."),
        ("Betweenness", _betweenness_method(betweenness)),
        ("Backend", methodology["backend"]),
        ("NetworkX version", methodology["networkx"]),
        ("Entity resolution: minimum score", _number(resolution["min_score"])),
        ("Entity resolution: confirmed merges", _count(resolution["confirmed_merges"])),
        ("Entity resolution: identifier links", _count(resolution["identifier_links"])),
        ("Fingerprint", methodology["fingerprint"]),
        ("Generated at", methodology["generated_at"]),
    ]
    notes = [note for note in (methodology["excluded"], methodology["edition_note"]) if note]
    return Section(
        "methodology",
        "Methodology",
        [TextTable(("Setting", "Value"), rows, weights=(1, 2))],
        notes,
    )


def _betweenness_method(betweenness: dict) -> str:
    if betweenness["exact"]:
        return "exact"
    return f"sampled (k = {betweenness['k']}, seed = {betweenness['seed']})"


def _field(name: str) -> Callable[[dict], str]:
    return lambda row: str(row[name])


def _country_name(row: dict) -> str:
    return f"{row['name']} ({row['country']})" if row["name"] else row["country"]


def _agency_name(row: dict) -> str:
    return f"{row['agency']} ({row['name']})" if row["name"] else row["agency"]


def _route_label(row: dict) -> str:
    return ARROW.join(row["route"])


def _count(value: int) -> str:
    return f"{value:,}"


def _number(value: float) -> str:
    """Thousands separators, at most three decimals, no trailing zeros: ``1,200.5``."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _measure(value: float) -> str:
    return f"{value:.4f}"


# HTML ------------------------------------------------------------------------------------------


def _html(results: dict) -> bytes:
    context = {
        "title": report_title(results),
        "edition": edition_label(results),
        "edition_key": results["edition"],
        "hits_in_scope": results["scope"]["hits"],
        "generated_at": results["methodology"]["generated_at"],
        "sections": report_sections(results),
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


@dataclass(frozen=True)
class Chart:
    png: bytes
    aspect: float  # height / width


def _pdf(results: dict) -> bytes:
    styles = _pdf_styles()
    buffer = io.BytesIO()
    title, edition = report_title(results), edition_label(results)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        subject=edition,
        author="JointOps",
        creator="JointOps",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    story = [
        _paragraph(title, styles["Title"]),
        _paragraph(edition, styles["Edition"]),
        _paragraph(f"{_count(results['scope']['hits'])} hits in scope.", styles["Normal"]),
    ]
    charts = report_charts(results)
    for section in report_sections(results):
        story.append(_paragraph(section.title, styles["Heading2"]))
        for table in section.tables:
            story += _pdf_table(table, styles, document.width)
        story += [_paragraph(note, styles["Normal"]) for note in section.notes]
        for chart in charts.get(section.key, []):
            story += [Spacer(1, 3 * mm), _image(chart, document.width)]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(styles["Normal"].fontName, 7)
        canvas.drawString(doc.leftMargin, 10 * mm, f"{edition} · page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


@functools.cache
def _pdf_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib): unlike Helvetica it has Cyrillic, Arabic..."""
    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(directory / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(directory / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        "DejaVuSans",
        normal="DejaVuSans",
        bold="DejaVuSans-Bold",
        italic="DejaVuSans",
        boldItalic="DejaVuSans-Bold",
    )
    return "DejaVuSans", "DejaVuSans-Bold"


def _pdf_styles():
    regular, bold = _pdf_fonts()
    styles = getSampleStyleSheet()
    for name in ("Normal", "Title", "Heading2", "Heading3"):
        styles[name].fontName = bold if name != "Normal" else regular
    styles.add(ParagraphStyle("Edition", parent=styles["Normal"], fontName=bold, spaceAfter=6))
    styles.add(ParagraphStyle("Cell", parent=styles["Normal"], fontSize=7.5, leading=9.5))
    styles.add(ParagraphStyle("CellHead", parent=styles["Cell"], fontName=bold))
    return styles


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text), style)


def _pdf_table(table: TextTable, styles, width: float) -> list:
    flowables = [_paragraph(table.heading, styles["Heading3"])] if table.heading else []
    if not table.rows:
        return [*flowables, _paragraph("None.", styles["Normal"])]
    data = [[_paragraph(c, styles["CellHead"]) for c in table.columns]]
    data += [[_paragraph(cell, styles["Cell"]) for cell in row] for row in table.rows]
    weights = table.weights or (2, *([1] * (len(table.columns) - 1)))
    widths = [width * w / sum(weights) for w in weights]
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [*flowables, grid, Spacer(1, 2 * mm)]


def _image(chart: Chart, width: float) -> Image:
    return Image(io.BytesIO(chart.png), width=width, height=width * chart.aspect)


# Charts ----------------------------------------------------------------------------------------


def report_charts(results: dict) -> dict[str, list[Chart]]:
    """PNG charts by the key of the section they illustrate; a chart without data is left out."""
    stats, routes = results["statistics"], results["network"]["routes"]
    charts = {
        "by_commodity": _bar_chart(
            [(r["label"], r["kilograms"]) for r in stats["by_commodity"]],
            "Kilograms seized by commodity",
            "kg",
        ),
        "over_time": _time_chart(stats["over_time"]),
        "by_country": _bar_chart(
            [(_country_name(r), r["hits"]) for r in stats["by_country"]], "Hits by country", "hits"
        ),
        "by_agency": _bar_chart(
            [(r["agency"], r["hits"]) for r in stats["by_agency"]], "Hits by agency", "hits"
        ),
        "network": _bar_chart(
            [(f"{e['source']}{ARROW}{e['target']}", e["hits"]) for e in routes["edges"]],
            "Route network: busiest edges",
            "hits",
        ),
    }
    return {key: [chart] for key, chart in charts.items() if chart}


def _bar_chart(pairs: list[tuple[str, float]], title: str, unit: str) -> Chart | None:
    """Horizontal bars, largest on top, at most ``MAX_BARS``; ``None`` when nothing is positive."""
    pairs = sorted((p for p in pairs if p[1] > 0), key=lambda p: -p[1])[:MAX_BARS]
    if not pairs:
        return None
    labels, values = zip(*reversed(pairs), strict=True)
    figure = Figure(figsize=(7, 1.2 + 0.28 * len(pairs)), layout="constrained")
    axes = figure.subplots()
    axes.barh(range(len(values)), values, color="#3b6ea5")
    axes.set_yticks(range(len(labels)), labels=[_plain(label) for label in labels], fontsize=8)
    axes.set_xlabel(unit)
    if unit == "hits":
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(_plain(title), fontsize=10)
    return _chart(figure)


def _time_chart(rows: list[dict]) -> Chart | None:
    if not any(r["hits"] for r in rows):
        return None
    figure = Figure(figsize=(7, 2.6), layout="constrained")
    axes = figure.subplots()
    days = [date.fromisoformat(r["date"]) for r in rows]
    axes.bar(days, [r["hits"] for r in rows], color="#3b6ea5", width=0.8)
    axes.set_xlim(min(days) - timedelta(days=1), max(days) + timedelta(days=1))
    locator = mdates.AutoDateLocator(minticks=2, maxticks=10)  # whole days, not hours
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("hits")
    axes.set_title("Hits over time", fontsize=10)
    return _chart(figure)


def _chart(figure: Figure) -> Chart:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    width, height = figure.get_size_inches()
    return Chart(buffer.getvalue(), height / width)


def _plain(text: str) -> str:
    """Keep matplotlib from reading ``$...$`` in a label as mathematics."""
    return text.replace("$", r"\$")


_RENDERERS = {
    "html": (_html, "text/html; charset=utf-8"),
    "pdf": (_pdf, "application/pdf"),
    "csv": (_csv, "text/csv; charset=utf-8"),
    "json": (_json, "application/json"),
}
