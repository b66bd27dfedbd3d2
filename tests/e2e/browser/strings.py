"""Every string a person sees, and whether each comes from the language's catalogue.

The catalogues are the front end's (``frontend/src/**/locales/<language>.json``). A string
on screen must be one of the language's catalogue values (interpolated ones match with
anything in place of ``{{name}}``), or data (names of people, agencies, languages, time
zones, the product), possibly joined by punctuation.
"""

import json
import re
from functools import cache

from tests.support.live import ROOT

LOCALES = ROOT / "frontend" / "src"

# Text nodes under visible elements, and the names, hints and values a person meets.
_VISIBLE_STRINGS = """() => {
  const shown = (el) => el && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    && el.getClientRects().length > 0;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text && shown(node.parentElement)) out.push(text);
  }
  for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [title], [alt], input")) {
    if (!shown(el)) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) out.push(value);
    }
    if (el.tagName === "INPUT" && !["hidden", "password"].includes(el.type) && el.value.trim()) {
      out.push(el.value.trim());
    }
  }
  return out;
}"""


def visible_strings(page) -> list[str]:
    """The strings on screen that hold a letter, in document order, without repeats."""
    strings = page.evaluate(_VISIBLE_STRINGS)
    return list(dict.fromkeys(s for s in strings if re.search(r"[^\W\d_]", s)))


@cache
def catalogue(language: str) -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """The language's catalogue values: (plain strings, patterns of interpolated ones)."""
    plain, patterns = set(), []
    for path in sorted(LOCALES.glob(f"**/locales/{language}.json")):
        if "node_modules" in path.parts:
            continue
        for value in _values(json.loads(path.read_text())):
            if "{{" in value:
                parts = re.split(r"\{\{[^}]*\}\}", value)
                patterns.append(re.compile("^" + ".+".join(map(re.escape, parts)) + "$"))
            else:
                plain.add(value.strip())
    return frozenset(plain), tuple(patterns)


def _values(tree):
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _values(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _values(value)


def in_catalogue(string: str, language: str) -> bool:
    plain, patterns = catalogue(language)
    return string in plain or any(p.match(string) for p in patterns)


def is_data(string: str, data: tuple[str, ...]) -> bool:
    """True when `string` is made of data and punctuation only."""
    rest = string
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, " ")
    return not re.search(r"[^\W\d_]", rest)


def foreign_strings(strings: list[str], language: str, data: tuple[str, ...]) -> list[str]:
    """The strings that are neither in `language`'s catalogues nor data."""
    return [s for s in strings if not in_catalogue(s, language) and not is_data(s, data)]
