"""The pictures of the post-operation report, drawn with matplotlib into PNG.

- :func:`bar_chart` and :func:`time_chart`: the statistics;
- :func:`seizure_map`: countries filled by the hits seized there, and the busiest route legs;
- :func:`network_drawing`: the key entities and their links, coloured by community.

The world's countries come from the ``countryinfo`` package, which bundles a Natural Earth
(1:110m) outline and a reference point of every country, so nothing is fetched at run time.
Text is laid out by matplotlib itself (libraqm: Arabic is shaped and ordered right to left).
Every figure is drawn on its own ``Figure`` (no pyplot, no global state), and the same input
gives the same picture: the network's layout is seeded.
"""

import functools
import io
import json
import math
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib.dates as mdates
import networkx as nx
import numpy as np
from countryinfo import all_countries
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

MAX_BARS = 15
MAX_LEGS = 12  # route legs drawn on the map
MAX_MAP_LABELS = 10
DRAWING_SEED = 12  # the network's layout: the same links give the same picture
COMMUNITY_COLOURS = colormaps["tab10"].colors
OUTSIDE_COMMUNITY = "#9aa3ad"
INK, BAR, ROUTE = "#1b1f24", "#3b6ea5", "#1f3b73"
OCEAN, LAND, BORDER = "#e4edf5", "#dcdcdc", "#ffffff"
DPI = 150
# Hits per country: yellow to red, without the palest yellows that vanish on grey land.
HITS_SCALE = ListedColormap(colormaps["YlOrRd"](np.linspace(0.15, 1, 256)))


@dataclass(frozen=True)
class Chart:
    """A PNG picture; ``aspect`` is height / width; ``alt`` says in words what it shows."""

    png: bytes
    aspect: float
    alt: str


def _remembered(draw):
    """Draw a picture once for the same input (JSON-like arguments): the HTML and the PDF of
    a run show the same pictures, and drawing one takes a good part of a second."""

    @functools.lru_cache(maxsize=64)
    def from_json(arguments: str):
        return draw(*json.loads(arguments))

    @functools.wraps(draw)
    def remembered(*arguments):
        return from_json(json.dumps(arguments, sort_keys=True))

    return remembered


def _chart(figure: Figure, alt: str) -> Chart:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    width, height = figure.get_size_inches()
    return Chart(buffer.getvalue(), height / width, alt)


def plain(text: str) -> str:
    """Keep matplotlib from reading ``$...$`` in a label as mathematics."""
    return text.replace("$", r"\$")


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Statistics ------------------------------------------------------------------------------------


@_remembered
def bar_chart(pairs: list[tuple[str, float]], title: str, unit: str) -> Chart | None:
    """Horizontal bars, largest on top, at most ``MAX_BARS``; ``None`` when nothing is positive."""
    pairs = sorted((p for p in pairs if p[1] > 0), key=lambda p: -p[1])[:MAX_BARS]
    if not pairs:
        return None
    labels, values = zip(*reversed(pairs), strict=True)
    figure = Figure(figsize=(7, 1.2 + 0.28 * len(pairs)), layout="constrained")
    axes = figure.subplots()
    axes.barh(range(len(values)), values, color=BAR)
    axes.set_yticks(range(len(labels)), labels=[plain(label) for label in labels], fontsize=8)
    axes.set_xlabel(unit)
    if unit == "hits":
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(plain(title), fontsize=10)
    return _chart(figure, f"{title}: bar chart of the {len(pairs)} largest.")


@_remembered
def time_chart(rows: list[dict]) -> Chart | None:
    """Hits per day; ``None`` unless they were made on two days at least."""
    if sum(1 for r in rows if r["hits"]) < 2:
        return None
    figure = Figure(figsize=(7, 2.6), layout="constrained")
    axes = figure.subplots()
    days = [date.fromisoformat(r["date"]) for r in rows]
    axes.bar(days, [r["hits"] for r in rows], color=BAR, width=0.8)
    axes.set_xlim(min(days) - timedelta(days=1), max(days) + timedelta(days=1))
    locator = mdates.AutoDateLocator(minticks=2, maxticks=10)  # whole days, not hours
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("hits")
    axes.set_title("Hits over time", fontsize=10)
    return _chart(figure, "Hits per day over the operation.")


# The map ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Country:
    outline: Path | None  # every ring of every polygon; None for a country too small at 1:110m
    anchor: tuple[float, float] | None  # (longitude, latitude) where a route starts or ends


@functools.cache
def world() -> dict[str, _Country]:
    """ISO 3166-1 alpha-2 code -> outline and anchor, read once from ``countryinfo``."""
    fullest: dict[str, dict] = {}  # GB is also England, Scotland, Wales...: the fullest entry
    for country in all_countries():
        code, data = country.iso().get("alpha2"), country.info()
        if code and len(data) > len(fullest.get(code, {})):
            fullest[code] = data
    countries = {}
    for code, data in fullest.items():
        rings = [
            ring
            for feature in (data.get("geoJSON") or {}).get("features", [])
            for ring in _rings(feature["geometry"])
        ]
        outline = Path.make_compound_path(*(Path(ring, closed=True) for ring in rings))
        point = data.get("latlng") or data.get("capital_latlng")
        if point and isinstance(point[0], list):  # several capitals (BQ): the first
            point = point[0]
        anchor = (float(point[1]), float(point[0])) if point else None
        if anchor is None and rings:
            anchor = tuple(np.vstack(rings).mean(axis=0))
        countries[code] = _Country(outline if rings else None, anchor)
    return countries


def _rings(geometry: dict) -> list[np.ndarray]:
    polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}
    return [
        np.asarray(ring, dtype=float)
        for polygon in polygons.get(geometry["type"], [])
        for ring in polygon
    ]


@_remembered
def seizure_map(by_country: list[dict], route_legs: list[dict]) -> Chart | None:
    """Countries filled by the number of hits seized there; the busiest route legs as arrows
    as thick as their hits. ``None`` when no country can be placed."""
    places = world()
    seized = {
        r["country"]: r["hits"] for r in by_country if r["hits"] > 0 and r["country"] in places
    }
    legs = [
        leg
        for leg in sorted(route_legs, key=lambda leg: (-leg["hits"], leg["source"], leg["target"]))
        if leg["hits"] > 0
        and places.get(leg["source"], _Country(None, None)).anchor
        and places.get(leg["target"], _Country(None, None)).anchor
    ][:MAX_LEGS]
    shown = set(seized) | {code for leg in legs for code in (leg["source"], leg["target"])}
    points = [places[code].anchor for code in shown if places[code].anchor]
    if not points:
        return None
    figure = Figure(figsize=(7, 3.9), layout="constrained")
    axes = figure.subplots()
    west, east, south, north = _extent(points, 7 / 3.55)  # less the title
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    axes.set_facecolor(OCEAN)
    axes.set_xticks([])
    axes.set_yticks([])
    _fill(axes, places, seized, figure)
    _legs(axes, places, legs)
    _country_labels(axes, places, seized, legs)
    axes.set_title("Seizures by country and the main route legs", fontsize=10)
    words = ", ".join(sorted(seized)) or "none"
    return _chart(
        figure,
        f"Map of hits by country of seizure ({words}) and of the {len(legs)} busiest route legs.",
    )


def _extent(points, ratio: float) -> tuple[float, float, float, float]:
    """A box around `points` with a margin, widened to the figure's shape on the map."""
    lons, lats = zip(*points, strict=True)
    west, east = min(lons) - 12, max(lons) + 12
    south, north = max(min(lats) - 10, -58), min(max(lats) + 10, 84)
    middle = math.cos(math.radians((south + north) / 2))
    width, height = (east - west) * middle, north - south
    if width / height < ratio:  # too tall: widen
        grow = (height * ratio / middle - (east - west)) / 2
        west, east = west - grow, east + grow
    else:  # too wide: heighten
        grow = ((east - west) * middle / ratio - (north - south)) / 2
        south, north = south - grow, north + grow
    return max(west, -180), min(east, 180), max(south, -60), min(north, 85)


def _fill(axes, places, seized: dict[str, int], figure: Figure) -> None:
    """Every country in grey, those with seizures over them in colour, and the scale."""
    axes.add_collection(
        PathCollection(
            [c.outline for code, c in places.items() if c.outline and code not in seized],
            facecolors=LAND,
            edgecolors=BORDER,
            linewidths=0.3,
        )
    )
    if not seized:
        return
    low, high = min(seized.values()), max(seized.values())
    norm = LogNorm(low, high) if high >= 20 * low else Normalize(0, high)
    outlined = [code for code in sorted(seized) if places[code].outline]
    axes.add_collection(
        PathCollection(
            [places[code].outline for code in outlined],
            facecolors=[HITS_SCALE(norm(seized[code])) for code in outlined],
            edgecolors="#7a7a7a",
            linewidths=0.4,
        )
    )
    small = [code for code in sorted(seized) if not places[code].outline and places[code].anchor]
    if small:  # too small for the 1:110m outlines: a dot in its colour
        axes.scatter(
            [places[code].anchor[0] for code in small],
            [places[code].anchor[1] for code in small],
            s=30,
            c=[HITS_SCALE(norm(seized[code])) for code in small],
            edgecolors="#7a7a7a",
            linewidths=0.4,
            zorder=3,
        )
    scale_axes = axes.inset_axes([0.012, 0.05, 0.016, 0.42])  # in the lower left corner
    bar = figure.colorbar(ScalarMappable(norm=norm, cmap=HITS_SCALE), cax=scale_axes)
    scale_axes.yaxis.set_ticks_position("right")
    bar.set_label("hits seized", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    ticks = LogLocator(subs=(1, 2, 5)) if isinstance(norm, LogNorm) else MaxNLocator(integer=True)
    bar.ax.yaxis.set_major_locator(ticks)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    bar.ax.yaxis.set_minor_formatter(NullFormatter())


def _legs(axes, places, legs: list[dict]) -> None:
    if not legs:
        return
    most = max(leg["hits"] for leg in legs)
    for leg in legs:
        start, end = places[leg["source"]].anchor, places[leg["target"]].anchor
        axes.add_patch(
            FancyArrowPatch(
                start,
                end,
                connectionstyle="arc3,rad=0.18",
                arrowstyle="-|>,head_length=4,head_width=2.2",
                linewidth=0.8 + 3.2 * leg["hits"] / most,
                color=ROUTE,
                alpha=0.75,
                zorder=4,
                shrinkA=2,
                shrinkB=2,
            )
        )


def _country_labels(axes, places, seized: dict[str, int], legs: list[dict]) -> None:
    on_routes = {code for leg in legs for code in (leg["source"], leg["target"])}
    ranked = sorted(seized, key=lambda code: (-seized[code], code))[:MAX_MAP_LABELS]
    west, east = axes.get_xlim()
    south, north = axes.get_ylim()
    for code in sorted(set(ranked) | on_routes):
        if places[code].anchor is None:
            continue
        lon, lat = places[code].anchor
        if not (west <= lon <= east and south <= lat <= north):
            continue
        axes.text(
            lon,
            lat,
            code,
            fontsize=7,
            fontweight="bold",
            color=INK,
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )


# The key network -------------------------------------------------------------------------------


@_remembered
def network_drawing(
    entities: list[dict], links: list[list], communities: list[dict]
) -> Chart | None:
    """The key entities (size: betweenness) and the links between them, coloured by the
    community they belong to; ``None`` when fewer than two entities are linked."""
    if len(entities) < 2 or not links:
        return None
    graph = nx.Graph()
    graph.add_nodes_from(e["id"] for e in entities)
    graph.add_weighted_edges_from(
        (a, b, float(rest[0]) if rest else 1.0)
        for a, b, *rest in links
        if a in graph and b in graph
    )
    if graph.number_of_edges() == 0:
        return None
    position = packed_layout(graph)
    community_of = {
        member["id"]: index for index, c in enumerate(communities) for member in c["members"]
    }
    figure = Figure(figsize=(7, 5.2), layout="constrained")
    axes = figure.subplots()
    axes.set_axis_off()
    weights = [graph[a][b]["weight"] for a, b in graph.edges]
    heaviest = max(weights)
    axes.add_collection(
        LineCollection(
            [(position[a], position[b]) for a, b in graph.edges],
            linewidths=[0.6 + 2.4 * w / heaviest for w in weights],
            colors="#8c96a3",
            alpha=0.8,
            zorder=1,
        )
    )
    top = max(e["betweenness"] for e in entities) or 1.0
    sizes = [60 + 540 * e["betweenness"] / top for e in entities]  # points squared
    colours = [_community_colour(community_of.get(e["id"])) for e in entities]
    axes.scatter(
        [position[e["id"]][0] for e in entities],
        [position[e["id"]][1] for e in entities],
        s=sizes,
        c=colours,
        edgecolors="white",
        linewidths=0.8,
        zorder=2,
    )
    for entity, size in zip(entities, sizes, strict=True):
        axes.annotate(
            plain(_short(entity["label"])),
            position[entity["id"]],
            xytext=(0, -math.sqrt(size) / 2 - 1.5),  # under the disc
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=6.5,
            color=INK,
            zorder=3,
            path_effects=[withStroke(linewidth=2.2, foreground="white")],  # legible over links
        )
    axes.margins(0.08)
    axes.legend(handles=_legend(entities, community_of, communities), fontsize=7, loc="best")
    axes.set_title(
        f"The {len(entities)} key entities and their links (size: betweenness)", fontsize=10
    )
    return _chart(
        figure,
        f"Network drawing of the {len(entities)} key entities and the "
        f"{graph.number_of_edges()} links between them, coloured by community.",
    )


def packed_layout(graph: nx.Graph) -> dict:
    """A seeded spring layout of each connected part, the parts side by side in rows, largest
    first: one layout of the whole would fling the parts apart and squeeze each of them."""
    parts = sorted(nx.connected_components(graph), key=lambda p: (-len(p), min(map(str, p))))
    width = max(math.sqrt(graph.number_of_nodes()) * 1.6, math.sqrt(len(parts[0])))
    position, x, y, row_height = {}, 0.0, 0.0, 0.0
    for part in parts:
        side = math.sqrt(len(part))  # a part's box grows with its number of nodes
        if x and x + side > width:  # next row
            x, y, row_height = 0.0, y - row_height - 0.5, 0.0
        centre = (x + side / 2, y - side / 2)
        if len(part) == 1:
            position[next(iter(part))] = np.array(centre)
        else:
            position.update(
                nx.spring_layout(
                    graph.subgraph(part),
                    seed=DRAWING_SEED,
                    k=1.6 / side,
                    iterations=200,
                    scale=side / 2,
                    center=centre,
                )
            )
        x, row_height = x + side + 0.5, max(row_height, side)
    return position


def _community_colour(index: int | None):
    if index is None or index >= len(COMMUNITY_COLOURS):
        return OUTSIDE_COMMUNITY
    return COMMUNITY_COLOURS[index]


def _legend(entities, community_of, communities) -> list[Patch]:
    present = sorted({community_of[e["id"]] for e in entities if e["id"] in community_of})
    handles = [
        Patch(
            color=_community_colour(i),
            label=f"Community {communities[i]['id']} ({communities[i]['size']:,})",
        )
        for i in present
        if i < len(COMMUNITY_COLOURS)
    ]
    if any(
        community_of.get(e["id"], len(COMMUNITY_COLOURS)) >= len(COMMUNITY_COLOURS)
        for e in entities
    ):
        handles.append(Patch(color=OUTSIDE_COMMUNITY, label="Other or none"))
    return handles
