"""Benchmark: the web application's bundle size, and the first paint of the operations
list with 200 operations (issue 10).

    .venv/bin/python bench/frontend.py                 # 15 rounds, 200 operations
    .venv/bin/python bench/frontend.py --rounds 30 --operations 200 --sizes-only

Needs the built bundle (``make frontend``) and Debian's Chromium (/usr/bin/chromium).

1. **Bundle size**, from Vite's manifest: for each entry (the app, GraphiQL), the
   JavaScript and CSS a first visit loads (the entry and its static imports, followed
   transitively), what loads later on demand (dynamic imports, not already loaded), and
   GraphiQL's editor web workers (named in its chunks, not in the manifest). Raw bytes and
   gzip (level 6, what a compressing proxy would send: the server itself sends them
   uncompressed). The ``client`` chunk is shared: both entries count it.

2. **First paint of the operations list**: a site of its own (``tests/support/live.py``
   ``SiteOnFile``: an SQLite file, ``migrate``, ``seed_demo``, then operations made through
   ``operations.services.operation_create`` by wco.coordinator until they are
   ``--operations``, all visible to wco.coordinator), daphne with production settings,
   Chromium through Playwright. Three pages, in a shuffled order in every round, each
   loaded in a fresh browser context (an empty cache: a first visit) and then again in the
   same context (a warm cache: a return visit):

   - ``list``: /operations as wco.coordinator, who sees all the operations;
   - ``empty list``: /operations as fr.coordinator, who sees none: the same app, shell
     and queries, no rows (the baseline for the cost of the data);
   - ``static table``: a bare HTML page with a 200-row table and no script, served over
     loopback by a stdlib HTTP server (the baseline for what a browser needs to paint a
     table that size at all).

   Measured in the page with the Performance API: first-contentful-paint (the paint
   timing entry), and "rows": when the browser has produced the frame in which the rows
   in ``<main>`` (table body rows, or elements with the row role) reached their final
   count (a MutationObserver installed before the page's own scripts; the next animation
   frame, then a task posted from it); for the empty list, the same for the last change
   of ``<main>``'s content. Both from the start of the navigation.
   Medians and p90 over the rounds, and the ratios of the medians to each baseline.

Printed as Markdown for ``docs/performance.md``.
"""

import argparse
import gzip
import http.server
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.browser import chromium  # noqa: E402
from tests.e2e.browser.pages import signed_in  # noqa: E402
from tests.e2e.browser.personas import COORDINATOR, STRANGER  # noqa: E402
from tests.support.live import SiteOnFile  # noqa: E402

BUILD = ROOT / "frontend" / "static" / "frontend" / "app"
MANIFEST = BUILD / ".vite" / "manifest.json"
ENTRIES = {"app": "src/main.tsx", "GraphiQL": "src/graphiql/main.tsx"}

MORE_OPERATIONS = """
from datetime import UTC, datetime, timedelta

from agencies.models import User
from operations import services
from operations.models import Operation

coordinator = User.objects.get(username="wco.coordinator")
focuses = list(Operation.Focus)
start = datetime(2027, 6, 1, 8, tzinfo=UTC)
for n in range(Operation.objects.count(), TOTAL):
    services.operation_create(
        actor=coordinator,
        code=f"BENCH-{n:03d}",
        name=f"Benchmark operation {n}",
        focus=focuses[n % len(focuses)],
        planned_start=start + timedelta(days=n),
        planned_end=start + timedelta(days=n + 14),
        time_zone="Europe/Brussels",
    )
print(Operation.objects.count())
"""

# Installed before the page's scripts: when the rows in <main> change in number, and when
# <main>'s content last changed, each as the moment the browser has produced the frame
# that shows it (the animation frame, then a task posted from it: after style, layout
# and paint of that frame on the main thread).
OBSERVER = """(() => {
  const marks = {rows: null, rowCount: 0, main: null, lastChange: 0};
  window.__bench = marks;
  const count = (main) =>
    main.querySelectorAll("tbody tr").length || main.querySelectorAll("[role=row]").length;
  const afterNextFrame = (record) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => record(performance.now());
    channel.port2.postMessage(null);
  });
  new MutationObserver((records) => {
    marks.lastChange = performance.now();
    const main = document.querySelector("main");
    if (!main || !records.some((record) => main.contains(record.target))) return;
    const rows = count(main);
    const changedRows = rows !== marks.rowCount;
    marks.rowCount = rows;
    afterNextFrame((time) => {
      marks.main = time;
      if (changedRows) marks.rows = time;
    });
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();"""

COLLECT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const marks = window.__bench;
  const resources = performance.getEntriesByType("resource");
  const last = (entries) => entries.length ? Math.max(...entries.map((e) => e.responseEnd)) : null;
  const api = resources.filter((e) => e.name.includes("/graphql/"));
  return {
    fcp: paint ? paint.startTime : null,
    rows: marks.rowCount ? marks.rows : null,
    main: marks.main,
    rowCount: marks.rowCount,
    document: performance.getEntriesByType("navigation")[0].responseEnd,
    bundle: last(resources.filter((e) => e.name.includes("/static/"))),
    firstAnswer: api.length ? Math.min(...api.map((e) => e.responseEnd)) : null,
    lastAnswer: last(api),
  };
}"""


# ---------------------------------------------------------------------------- bundle


def _closure(manifest: dict, keys, field: str, seen: set) -> list[str]:
    """`keys` and what they import through `field` ("imports"), transitively."""
    found = []
    pending = list(keys)
    while pending:
        key = pending.pop(0)
        if key in seen:
            continue
        seen.add(key)
        found.append(key)
        pending += manifest[key].get(field, [])
    return found


def _files(manifest: dict, chunks: list[str]) -> tuple[list[str], list[str]]:
    js, css = [], []
    for key in chunks:
        chunk = manifest[key]
        if chunk["file"].endswith(".js"):
            js.append(chunk["file"])
        css += chunk.get("css", [])
    return js, list(dict.fromkeys(css))


def _size(files: list[str]) -> tuple[int, int]:
    raw = compressed = 0
    for name in files:
        data = (BUILD / name).read_bytes()
        raw += len(data)
        compressed += len(gzip.compress(data, compresslevel=6))
    return raw, compressed


def bundle_sizes() -> list[dict]:
    manifest = json.loads(MANIFEST.read_text())
    rows = []
    for label, entry in ENTRIES.items():
        seen: set = set()
        first = _closure(manifest, [entry], "imports", seen)
        dynamic = [d for key in first for d in manifest[key].get("dynamicImports", [])]
        later = []
        while dynamic:
            found = _closure(manifest, dynamic, "imports", seen)
            later += found
            dynamic = [d for key in found for d in manifest[key].get("dynamicImports", [])]
        first_js, first_css = _files(manifest, first)
        later_js, later_css = _files(manifest, later)
        later_css = [f for f in later_css if f not in first_css]
        workers = sorted(
            {
                match
                for name in first_js + later_js
                for match in re.findall(
                    r"[\w.-]+\.worker-[\w-]+\.js", (BUILD / name).read_text(errors="replace")
                )
            }
        )
        rows.append(
            {
                "entry": label,
                "first JS": _size(first_js),
                "first CSS": _size(first_css),
                "later JS": _size(later_js),
                "later CSS": _size(later_css),
                "workers": _size([f"assets/{w}" for w in workers]),
                "files": (len(first_js) + len(first_css), len(later_js) + len(later_css)),
            }
        )
    return rows


def _kb(pair: tuple[int, int]) -> str:
    raw, compressed = pair
    return f"{raw / 1024:,.0f} / {compressed / 1024:,.0f}"


def print_bundle(rows: list[dict]) -> None:
    print(
        "\n| entry | first visit: JS | first visit: CSS | on demand: JS | on demand: CSS "
        "| web workers | files (first / on demand) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['entry']} | {_kb(row['first JS'])} | {_kb(row['first CSS'])} "
            f"| {_kb(row['later JS'])} | {_kb(row['later CSS'])} | {_kb(row['workers'])} "
            f"| {row['files'][0]} / {row['files'][1]} |"
        )
    print("\nKiB, raw / gzip -6.")


# ---------------------------------------------------------------------------- paint


def static_table(rows: int) -> bytes:
    """A bare page with a table of `rows` operations: no script, no stylesheet."""
    lines = [
        f"<tr><td>BENCH-{n:03d}</td><td>Benchmark operation {n}</td><td>Draft</td>"
        f"<td>1 Jun 2027</td><td>15 Jun 2027</td><td>WCO</td><td>Coordinator</td></tr>"
        for n in range(rows)
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Operations</title></head><body><main><h1>Operations</h1><table>"
        "<thead><tr><th>Code</th><th>Name</th><th>Status</th><th>Start</th><th>End</th>"
        "<th>Lead</th><th>My role</th></tr></thead><tbody>"
        + "".join(lines)
        + "</tbody></table></main></body></html>"
    ).encode()


class StaticServer:
    """The static table over loopback HTTP, in a thread."""

    def __init__(self, body: bytes):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/operations"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _load(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 15
    # Settled: nothing changed in <main> for half a second.
    while page.evaluate("() => performance.now() - window.__bench.lastChange") < 500:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} kept changing")
        page.wait_for_timeout(100)
    return page.evaluate(COLLECT)


def measure(browser, url: str, storage_state: dict | None) -> tuple[dict, dict]:
    """(first visit, return visit) of `url` in a fresh context."""
    context = browser.new_context(viewport=chromium.DESKTOP, storage_state=storage_state)
    try:
        context.add_init_script(OBSERVER)
        page = context.new_page()
        return _load(page, url), _load(page, url)
    finally:
        context.close()


def sign_in(browser, site, persona) -> dict:
    context = browser.new_context(base_url=site.url, viewport=chromium.DESKTOP)
    try:
        signed_in(context.new_page(), persona)
        return context.storage_state()
    finally:
        context.close()


def _stats(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    p90 = (
        statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    )
    return statistics.median(values), p90


def paint(rounds: int, operations: int) -> dict:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    samples: dict = {}
    with SiteOnFile(settings={"LOGIN_FAILURE_LIMIT": "1000"}) as site:
        made = site.manage("shell", "-c", MORE_OPERATIONS.replace("TOTAL", str(operations)))
        print(f"{made.split()[-1]} operations on {site.url}", file=sys.stderr)
        static = StaticServer(static_table(operations))
        try:
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                version = browser.version
                pages = {
                    "list": (f"{site.url}/operations", sign_in(browser, site, COORDINATOR)),
                    "empty list": (f"{site.url}/operations", sign_in(browser, site, STRANGER)),
                    "static table": (static.url, None),
                }
                order = random.Random(2027)
                for number in range(1 + rounds):  # the first round warms the server up
                    names = list(pages)
                    order.shuffle(names)
                    for name in names:
                        cold, warm = measure(browser, *pages[name])
                        if number == 0:
                            continue
                        samples.setdefault(name, {"cold": [], "warm": []})
                        samples[name]["cold"].append(cold)
                        samples[name]["warm"].append(warm)
                    print(f"round {number}/{rounds}", file=sys.stderr)
                browser.close()
        finally:
            static.stop()
    rows_shown = {name: samples[name]["cold"][-1]["rowCount"] for name in samples}
    if not rows_shown["list"]:
        raise SystemExit("The operations list shows no rows: is the list page built?")
    return {"samples": samples, "rows": rows_shown, "chromium": version}


def _metric(sample: dict, name: str) -> float:
    return sample["rows"] if name != "empty list" else sample["main"]


def print_paint(result: dict, rounds: int, operations: int) -> None:
    samples = result["samples"]
    medians = {}
    print(
        f"\n{rounds} rounds; {operations} operations; ms from the start of navigation, "
        "median / p90.\n"
    )
    print(
        "| page | rows shown | first visit: FCP | first visit: rows | "
        "return visit: FCP | return visit: rows |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, visits in samples.items():
        cells = []
        for visit in ("cold", "warm"):
            fcp = _stats([s["fcp"] for s in visits[visit]])
            rows = _stats([_metric(s, name) for s in visits[visit]])
            medians[(name, visit, "fcp")] = fcp[0]
            medians[(name, visit, "rows")] = rows[0]
            cells += [f"{fcp[0]:.0f} / {fcp[1]:.0f}", f"{rows[0]:.0f} / {rows[1]:.0f}"]
        print(f"| {name} | {result['rows'][name]} | " + " | ".join(cells) + " |")
    print("\nRatios of the medians (list / baseline):\n")
    print("| | first visit: FCP | first visit: rows | return visit: FCP | return visit: rows |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for baseline in ("empty list", "static table"):
        cells = [
            f"{medians[('list', visit, metric)] / medians[(baseline, visit, metric)]:.2f}"
            for visit in ("cold", "warm")
            for metric in ("fcp", "rows")
        ]
        print(f"| list / {baseline} | " + " | ".join(cells) + " |")
    print('\n(For the empty list, "rows" is when <main> last changed: its empty state.)')
    print("\nWhere the time goes, medians (ms from the start of navigation; the last answer is")
    print("the last GraphQL response before the page settled):\n")
    print(
        "| page | visit | document | bundle loaded | first API answer | last API answer "
        "| FCP | rows |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, visits in samples.items():
        for visit, label in (("cold", "first"), ("warm", "return")):
            cells = []
            for key in ("document", "bundle", "firstAnswer", "lastAnswer", "fcp"):
                values = [s[key] for s in visits[visit] if s[key] is not None]
                cells.append(f"{statistics.median(values):.0f}" if values else "-")
            cells.append(f"{statistics.median([_metric(s, name) for s in visits[visit]]):.0f}")
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")


def machine(chromium_version: str = "") -> str:
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}, Chromium {chromium_version or '?'}, commit {commit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--operations", type=int, default=200)
    parser.add_argument("--sizes-only", action="store_true", help="only the bundle's size")
    args = parser.parse_args()
    if not MANIFEST.exists():
        raise SystemExit(f"{MANIFEST} is missing: run `make frontend` first.")
    reason = chromium.missing()
    if reason and not args.sizes_only:
        raise SystemExit(f"Chromium is needed: {reason}")

    print("## Bundle size")
    print_bundle(bundle_sizes())
    if args.sizes_only:
        print(f"\nMachine: {machine()}")
        return
    result = paint(args.rounds, args.operations)
    print("\n## First paint of the operations list")
    print_paint(result, args.rounds, args.operations)
    print(f"\nMachine: {machine(result['chromium'])}")


if __name__ == "__main__":
    main()
