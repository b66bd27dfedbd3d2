"""Accessibility with axe-core, the copy npm installed for the front end.

:func:`assert_accessible` runs axe on the page as it is and fails on every violation of
impact "serious" or "critical", listed readably (rule, what it asks, each element with
axe's summary). Moderate and minor ones are not failures.
"""

from dataclasses import dataclass
from functools import cache

from tests.support.live import ROOT

AXE_SCRIPT = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary,
    })),
  }));
}"""


@dataclass(frozen=True)
class Accepted:
    """A violation we cannot fix and accept: rule `rule` on elements whose HTML contains
    `html`, for `why`."""

    rule: str
    html: str
    why: str

    def covers(self, violation: dict, node: dict) -> bool:
        return violation["id"] == self.rule and self.html in node["html"]


@cache
def _script() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `cd frontend && npm ci`")
    return AXE_SCRIPT.read_text()


def violations(page) -> list[dict]:
    """axe's violations on `page`, all impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_script())
    return page.evaluate(_RUN)


def assert_accessible(page, *, accepted: tuple[Accepted, ...] = ()) -> None:
    found = []
    for violation in violations(page):
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        nodes = [n for n in violation["nodes"] if not any(a.covers(violation, n) for a in accepted)]
        if nodes:
            found.append({**violation, "nodes": nodes})
    assert not found, f"axe on {page.url}:\n" + describe(found)


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"      {line.strip()}")
    return "\n".join(lines)
