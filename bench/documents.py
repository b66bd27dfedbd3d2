"""Benchmark: checking a request's GraphQL document, kept against checked afresh.

    .venv/bin/python bench/documents.py          # --rounds 41

``graphql_api.core.requests.prepare`` keeps a document and what the spec's validation
rules found by its text. This measures ``prepare`` for every document the web
application sends (``frontend/src/gql/gql.ts``) and for the report and the live board of
``bench/fanout.py``: with the cache emptied before each call (every request checked
afresh, as before the cache) against the document already kept, interleaved call by
call. No database: ``prepare`` reads none.
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def web_documents() -> list[str]:
    """The web application's operations as its GraphQL client sends them: each with the
    fragments it spreads (codegen lists fragments on their own)."""
    source = (ROOT / "frontend/src/gql/gql.ts").read_text()
    texts = [json.loads(t) for t in re.findall(r'^    ("(?:[^"\\]|\\.)*"): typeof', source, re.M)]
    fragments = {
        re.match(r"\s*fragment (\w+)", text)[1]: text
        for text in texts
        if text.lstrip().startswith("fragment")
    }

    def with_fragments(text: str) -> str:
        needed, todo = {}, re.findall(r"\.\.\.(\w+)", text)
        while todo:
            name = todo.pop()
            if name in fragments and name not in needed:
                needed[name] = fragments[name]
                todo += re.findall(r"\.\.\.(\w+)", fragments[name])
        return text + "".join(needed.values())

    return [with_fragments(text) for text in texts if not text.lstrip().startswith("fragment")]


class Viewer:
    is_authenticated = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-key")
    os.environ.setdefault("ENV_FILE", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.fanout import REPORT, SUBSCRIPTION
    from graphql_api.core import requests

    documents = {f"web {i + 1}": text for i, text in enumerate(web_documents())}
    documents |= {"reportHit": REPORT, "hitReported": SUBSCRIPTION}
    variables = {"first": 50, "last": 50}

    def timed(text: str, *, cold: bool) -> float:
        if cold:
            requests._cached_document.cache_clear()
        began = time.perf_counter()
        requests.prepare(text, variables, None, user=Viewer())
        return time.perf_counter() - began

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {len(documents)} documents, "
        f"{args.rounds} rounds"
    )
    results = {}
    for name, text in documents.items():
        timed(text, cold=True)  # warm up the schema's own caches
        cold, kept = [], []
        for _ in range(args.rounds):
            cold.append(timed(text, cold=True))
            kept.append(timed(text, cold=False))
        results[name] = (len(text), statistics.median(cold), statistics.median(kept))
    print(f"\n{'document':<12} {'chars':>6} {'checked ms':>11} {'kept ms':>8} {'ratio':>6}")
    for name, (chars, cold, kept) in results.items():
        print(f"{name:<12} {chars:>6} {cold * 1000:>11.2f} {kept * 1000:>8.2f} {kept / cold:>6.2f}")
    colds = [cold for _, cold, _ in results.values()]
    kepts = [kept for _, _, kept in results.values()]
    print(
        f"\nmedian over the documents: checked {statistics.median(colds) * 1000:.2f} ms, "
        f"kept {statistics.median(kepts) * 1000:.2f} ms; "
        f"ratio of medians {statistics.median(kepts) / statistics.median(colds):.2f}"
    )


if __name__ == "__main__":
    main()
