"""The built web application (Vite's manifest) as the tags of a page.

`npm run build` (run by `make run` and `make test`) writes the bundle and its manifest
into `frontend/static/frontend/app/`; Django serves those files as static files
(WhiteNoise), and the pages below name them through the manifest, so a new build needs
no change here.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static

BUILD = Path(__file__).resolve().parent / "static" / "frontend" / "app"
MANIFEST = BUILD / ".vite" / "manifest.json"
ENTRIES = {"app": "src/main.tsx", "graphiql": "src/graphiql/main.tsx"}


class BundleMissing(RuntimeError):
    """The app was not built: run `make run` (or `cd frontend && npm run build`)."""


@dataclass
class EntryAssets:
    script: str
    preloads: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)


def _manifest() -> dict:
    try:
        return json.loads(MANIFEST.read_text())
    except FileNotFoundError as exc:
        raise BundleMissing(BundleMissing.__doc__) from exc


# Read once per process in production; on every request in development, so that a
# rebuild shows without a restart.
_cached_manifest = cache(_manifest)


def entry_assets(entry: str) -> EntryAssets:
    manifest = _manifest() if settings.DEBUG else _cached_manifest()
    chunk = manifest[ENTRIES[entry]]
    assets = EntryAssets(script=_url(chunk["file"]), styles=[_url(f) for f in chunk.get("css", [])])
    seen: set[str] = set()
    pending = list(chunk.get("imports", []))
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        imported = manifest[name]
        assets.preloads.append(_url(imported["file"]))
        assets.styles += [_url(f) for f in imported.get("css", [])]
        pending += imported.get("imports", [])
    return assets


def _url(path: str) -> str:
    return static(f"frontend/app/{path}")
