"""Every GraphQL example in docs/api.md works, as written, on the demo data.

An example is a ```graphql block with an HTML comment right before it, which a reader
of the rendered page does not see:

    <!-- example as=USER [expect=CODE] [var:NAME=SAVED ...] [save:SAVED=PATH ...] -->

optionally followed by a ```json block of variables, as a reader types them in
GraphiQL's variables pane. ``as`` names the demo user the example runs as. A variable
whose value in the doc is a ``"<...>"`` placeholder (an id the reader copies from an
earlier answer) must be bound with ``var:NAME=SAVED`` to a value that an earlier
example kept with ``save:SAVED=PATH``; ``now`` is a moment ago, inside a demo control
window. A PATH walks the answer's ``data``: ``edges[node.code=COLIBRI-SKY].node.id``
(a list filtered by a dotted key, its first match), ``entitySuggestions.0.actorA.id``.
``expect=CODE`` marks an example that documents a refusal: exactly that one error code.

The examples run in document order, sharing the data as a reader's session would, with
the clock set to 10:00 in Costa Rica today (inside a demo control window) so that
reporting a hit does not depend on the hour at which the test runs.
"""

import json
import re
import shlex
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from agencies.models import User
from agencies.services import api_token_create

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
DEMO_ZONE = ZoneInfo("America/Costa_Rica")

GRAPHQL_BLOCK = re.compile(r"^```graphql\n", re.M)
EXAMPLE = re.compile(
    r"<!--\s*example\b(?P<meta>[^>]*?)-->\s*\n"
    r"```graphql\n(?P<query>.*?)^```\n"
    r"(?:\s*```json\n(?P<variables>.*?)^```\n)?",
    re.S | re.M,
)
PLACEHOLDER = re.compile(r"^<.*>$")
PATH_STEP = re.compile(r"[^.\[\]]+(?:\[[^\]]*\])?")


@dataclass
class Example:
    line: int
    user: str
    query: str
    variables: dict
    expect: str | None = None
    bind: dict[str, str] = field(default_factory=dict)
    save: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"docs/api.md:{self.line}"


def parse_examples(text: str) -> list[Example]:
    examples = []
    for match in EXAMPLE.finditer(text):
        line = text.count("\n", 0, match.start("query"))  # the ```graphql line
        settings = dict(token.split("=", 1) for token in shlex.split(match["meta"]))
        user, expect = settings.pop("as"), settings.pop("expect", None)
        bind = {k.removeprefix("var:"): v for k, v in settings.items() if k.startswith("var:")}
        save = {k.removeprefix("save:"): v for k, v in settings.items() if k.startswith("save:")}
        unknown = set(settings) - {f"var:{k}" for k in bind} - {f"save:{k}" for k in save}
        assert not unknown, f"docs/api.md:{line}: unknown example settings {sorted(unknown)}"
        variables = json.loads(match["variables"] or "{}")
        examples.append(Example(line, user, match["query"], variables, expect, bind, save))
    return examples


def dig(data, path: str):
    """The value at `path` in `data` (see the module docstring), or KeyError."""
    for step in PATH_STEP.findall(path):
        name, _, condition = step.partition("[")
        data = data[int(name)] if isinstance(data, list) else data[name]
        if condition:
            key, value = condition.rstrip("]").split("=", 1)
            data = next(item for item in data if str(dig(item, key)) == value)
    return data


def payload_error_codes(data: dict | None) -> list[str]:
    """The codes in the `errors` of every mutation payload (or query answer) at the root."""
    codes = []
    for value in (data or {}).values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            codes += [error["code"] for error in value["errors"]]
    return codes


class DemoReader:
    """Sends the doc's examples as the demo users, with their API tokens."""

    def __init__(self, now):
        self.tokens: dict[str, str] = {}
        a_moment_ago = (now - timedelta(minutes=5)).replace(microsecond=0)
        self.saved = {"now": a_moment_ago.astimezone(DEMO_ZONE).isoformat()}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            user = User.objects.filter(username=username).first()
            assert user, f"no demo user {username}"
            self.tokens[username] = api_token_create(user=user, name="docs examples")[1]
        return self.tokens[username]

    def variables(self, example: Example) -> dict:
        placeholders = {
            name
            for name, value in example.variables.items()
            if isinstance(value, str) and PLACEHOLDER.match(value)
        }
        assert placeholders == set(example.bind), (
            f"{example}: placeholders {sorted(placeholders)} but bound {sorted(example.bind)}"
        )
        missing = [saved for saved in example.bind.values() if saved not in self.saved]
        assert not missing, f"{example}: needs {missing}, which no earlier example kept"
        return {
            **example.variables,
            **{name: self.saved[saved] for name, saved in example.bind.items()},
        }

    def run(self, example: Example) -> list[str]:
        """Send one example; return what is wrong with its answer."""
        response = Client().post(
            "/graphql/",
            {"query": example.query, "variables": self.variables(example)},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token(example.user)}",
        )
        answer = response.json()
        top_level = [
            e.get("extensions", {}).get("code", e["message"]) for e in answer.get("errors", [])
        ]
        codes = top_level + payload_error_codes(answer.get("data"))
        wanted = [example.expect] if example.expect else []
        if codes != wanted or (not example.expect and response.status_code != 200):
            return [
                f"{example} as {example.user}: wanted {wanted or 'no errors'}, "
                f"got HTTP {response.status_code} {json.dumps(answer)[:600]}"
            ]
        problems = []
        for name, path in example.save.items():
            try:
                self.saved[name] = dig(answer["data"], path)
            except (KeyError, IndexError, TypeError, StopIteration, ValueError):
                problems.append(f"{example}: no {path} in {json.dumps(answer)[:600]}")
        return problems


def demo_clock():
    """10:00 today in Costa Rica, running on from there: inside the demo's control
    windows (06:00-18:00 Costa Rica time) whatever the hour of the real day."""
    real_now = timezone.now
    started = real_now()
    start = started.astimezone(DEMO_ZONE).replace(hour=10, minute=0, second=0, microsecond=0)
    return lambda: start + (real_now() - started)


def test_every_graphql_block_of_the_api_doc_is_a_runnable_example():
    text = DOC.read_text()

    examples = parse_examples(text)

    assert examples
    assert len(examples) == len(GRAPHQL_BLOCK.findall(text)), (
        "a ```graphql block has no example comment"
    )
    saved = {"now"}
    for example in examples:
        assert set(example.bind.values()) <= saved, f"{example} uses a value kept later"
        saved |= set(example.save)


@pytest.mark.django_db
def test_the_api_doc_examples_work_on_the_demo_data():
    # Given the demo data, seeded at a moment inside a demo control window
    clock = demo_clock()
    with mock.patch("django.utils.timezone.now", new=clock):
        call_command("seed_demo", stdout=StringIO())
        reader = DemoReader(clock())

        # When a reader sends every example of docs/api.md in order
        examples = parse_examples(DOC.read_text())
        problems = [] if examples else ["docs/api.md has no examples"]
        for example in examples:
            try:
                problems += reader.run(example)
            except AssertionError as exc:
                problems.append(str(exc))

    # Then every answer is free of errors, except the refusals the doc shows
    assert not problems, "\n".join(problems)
