"""Fuzzing the whole GraphQL schema (issue 9): a client's mistake is never a server failure.

hypothesis-graphql (the generator schemathesis uses for GraphQL) writes documents for
every root query and mutation of the live schema, in three modes:

- ``literals``: valid documents, arguments written inline;
- ``negative``: documents with one schema violation (refused by validation);
- ``variables``: the valid documents with their root arguments moved to ``variables``,
  about half of them then corrupted (one value replaced by any JSON value, or dropped),
  so that the variable-coercion path of every scalar and input type is driven too.

Scalars come from strategies that reach real objects as well as broken ones: global ids of
the seeded rows next to forged ids (unknown type, huge or negative pk, garbage base64),
datetimes near now next to naive, out-of-range and impossible ones, decimals with NaN and
exponents, strings from the trade's vocabulary (countries, LOCODEs, check-digit
identifiers, time zones, enum names, cursors) next to arbitrary text.

Each request is judged by :func:`judge`: the answer is not a 5xx, is a JSON object with
``data`` or ``errors``, and no error carries ``extensions.code == "INTERNAL_ERROR"``.
Failures are grouped by the server-side exception (type and innermost frames of the
traceback the server logged), each with the smallest request that showed it.

The test here is bounded (a few examples per field, mode and persona, a fixed seed, each
request rolled back after it); ``bench/fuzz.py`` runs the same harness longer against a
live server (see ``docs/fuzzing.md``).
"""

import copy
import json
import logging
import re
import traceback
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import graphene
import graphql
import hypothesis_graphql
import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from graphene_django.views import GraphQLView
from graphql_relay import to_global_id
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import nodes

ROOT = Path(__file__).resolve().parents[2]
INTERNAL_ERROR = "INTERNAL_ERROR"
MODES = ("literals", "negative", "variables")

# --------------------------------------------------------------------------------------
# The judge


def judge(status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with one answer from the GraphQL endpoint ([] when nothing is)."""
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}")
    if "json" not in (content_type or "").lower():
        problems.append(f"content type {content_type or 'missing'!r}")
    try:
        payload = json.loads(body)
    except ValueError:
        problems.append("body is not JSON")
        return problems
    if not isinstance(payload, dict) or not ({"data", "errors"} & payload.keys()):
        problems.append("not a GraphQL response (no data, no errors)")
        return problems
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        problems.append("errors is not a list")
        return problems
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") == INTERNAL_ERROR:
            problems.append(INTERNAL_ERROR)
            break
    return problems


# --------------------------------------------------------------------------------------
# Server-side tracebacks: one logged exception (with its chain) per chunk


_FRAME = re.compile(r'^ *File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)', re.M)
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
_HEADER = "Traceback (most recent call last):"


def split_tracebacks(text: str) -> list[str]:
    """The logged exceptions in a piece of server log, chained ones kept together."""
    pieces = text.split(_HEADER)
    chunks: list[str] = []
    for piece in pieces[1:]:
        if chunks and chunks[-1].rstrip().endswith(_CHAINED):
            chunks[-1] += _HEADER + piece
        else:
            chunks.append(_HEADER + piece)
    return chunks


def _short(file: str) -> str:
    marker = "site-packages/"
    if marker in file:
        return file.split(marker, 1)[1]
    try:
        return str(Path(file).resolve().relative_to(ROOT))
    except ValueError:
        return file


def _is_project(file: str) -> bool:
    return "site-packages" not in file and file.startswith(str(ROOT))


@dataclass(frozen=True)
class Cause:
    """The exception of a traceback and where it was raised."""

    exception: str  # "TypeError: message"
    project_frame: str  # innermost frame in the project's code
    innermost_frame: str  # innermost frame anywhere

    @property
    def kind(self) -> str:
        return self.exception.split(":", 1)[0]


def _through_exception(chunk: str) -> str:
    """The traceback up to its exception line (what the log said next is dropped)."""
    frames = list(_FRAME.finditer(chunk))
    if not frames:
        return chunk.strip()
    lines = chunk[frames[-1].end() :].splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        kept.append(line)
        if line.strip() and not line[0].isspace():
            break
    return (chunk[: frames[-1].end()] + "".join(kept)).strip()


def cause_of(chunk: str) -> Cause:
    last = chunk.split(_HEADER)[-1]
    frames = list(_FRAME.finditer(last))
    exception = ""
    if frames:
        after = last[frames[-1].end() :].splitlines()[1:]
        exception = next((line for line in after if line and not line[0].isspace()), "")
    described = [(m["file"], m["line"], m["func"]) for m in frames]
    project = [f for f in described if _is_project(f[0])]

    def where(frame):
        return f"{_short(frame[0])}:{frame[1]} in {frame[2]}" if frame else "-"

    return Cause(
        exception=exception.strip(),
        project_frame=where(project[-1] if project else None),
        innermost_frame=where(described[-1] if described else None),
    )


# --------------------------------------------------------------------------------------
# Transports: where requests go


@dataclass
class Exchange:
    status: int
    content_type: str
    body: bytes
    server_log: str  # what the server logged at ERROR while answering (tracebacks)


class _ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.text = ""

    def emit(self, record):
        self.text += record.getMessage() + "\n"
        if record.exc_info and record.exc_info[1] is not None:
            self.text += "".join(traceback.format_exception(*record.exc_info))


class DjangoTransport:
    """In this process, through Django's test client; by default every request runs in a
    savepoint rolled back after it, so each example meets the same seeded world."""

    def __init__(self, path: str = "/graphql/", rollback: bool = True):
        self.path, self.rollback = path, rollback
        self.clients: dict[str, Client] = {}

    def send(self, persona: str, headers: dict, body: dict) -> Exchange:
        client = self.clients.setdefault(persona, Client(raise_request_exception=False))
        log = _ErrorLog()
        root = logging.getLogger()
        root.addHandler(log)
        try:
            with transaction.atomic():
                response = client.post(
                    self.path,
                    data=json.dumps(body),
                    content_type="application/json",
                    headers=headers,
                )
                if self.rollback:
                    transaction.set_rollback(True)
        finally:
            root.removeHandler(log)
        return Exchange(
            response.status_code, response.get("Content-Type", ""), response.content, log.text
        )


class HttpTransport:
    """A live server over HTTP; tracebacks are read from the server's log file, so
    requests go one at a time."""

    def __init__(self, url: str, log_path: str, timeout: float = 60):
        self.url, self.log_path, self.timeout = url.rstrip("/") + "/graphql/", log_path, timeout

    def _log_size(self) -> int:
        return Path(self.log_path).stat().st_size

    def send(self, persona: str, headers: dict, body: dict) -> Exchange:
        offset = self._log_size()
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, content_type = response.status, response.headers.get("Content-Type", "")
                content = response.read()
        except urllib.error.HTTPError as error:
            status, content_type = error.code, error.headers.get("Content-Type", "")
            content = error.read()
        except OSError as error:  # timeout, reset: the server did not answer
            status, content_type, content = 599, "", f"no answer: {error!r}".encode()
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        return Exchange(status, content_type, content, text)


# --------------------------------------------------------------------------------------
# What to send


def _cursor(offset) -> str:
    import base64

    return base64.b64encode(f"arrayconnection:{offset}".encode()).decode()


VOCABULARY = [
    # countries, places
    *("CR", "BE", "NG", "FR", "KE", "US", "XX", "cr", "C", "CRI", ""),
    *("SJO", "MROC", "CRSJO", "BEBRU", "ZZZZZ", "123", "DNMM"),
    # identifiers, good and bad check digits
    *("CSQU3054383", "CSQU3054384", "020-12345675", "020-12345670", "RR473124829GB"),
    *("RR473124820GB", "IMO 9074729", "IMO 9074728", "N123AB", "TI-AAA", "AA123"),
    *("+506 8312 3456", "+57 301 234 5678", "+1", "0", "a@example.org", "not-an-e-mail"),
    *("AB123456", "2939.71", "293971", "29", "passport"),
    # time zones
    *("Europe/Brussels", "America/Costa_Rica", "UTC", "Mars/Olympus", "../../etc/passwd"),
    # enum names as strings (filters take strings), in both cases
    *("ACTIVE", "PLANNED", "DRAFT", "CLOSED", "active", "PARTICIPANT", "OBSERVER", "LEAD"),
    *("COORDINATOR", "customs", "POLICE", "INTERNATIONAL_ORGANISATION", "DRUGS", "drugs"),
    *("RED", "AMBER+STRICT", "seizure", "kg", "KILOGRAM", "cocaine"),
    # cursors and datetimes as strings
    *(_cursor(0), _cursor(-1), _cursor(10**20), _cursor("x"), "YXJyYXk=", "=="),
    *("2027-03-04T06:00:00-06:00", "2027-02-30T00:00:00Z", "9999-12-31T23:59:59-14:00"),
    # sizes and shapes
    *("x" * 300, "é" * 5000, " ", "\x00", "null", "{}", "[]", "%s", "'; --", "<b>"),
]

DATETIMES = [
    "2027-03-01T08:00:00+00:00",
    "2027-03-04T06:00:00-06:00",
    "2027-03-01T08:00:00",  # naive
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2027-02-30T00:00:00Z",
    "2027-03-01",
    "tomorrow",
    "",
]
DECIMALS = [
    *("120.5", "1", "0", "-1", "0.0001", "1e3", "1E+5000", "1e-5000", "500000000"),
    *("NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1" * 60, "abc", ""),
]
NODE_KEYS = ["actor:1", "hit:1", "shipment:1", "country:CR", "location:SJO", "identifier:x:y"]
TYPE_NAMES = ["Operation", "Participation", "TimeWindow", "Hit", "Agency", "User"]
TYPE_NAMES += ["AnalysisRun", "Actor", "Nope", ""]


def _mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """Three in four from `valid`: one broken value refuses a whole document, so mostly
    valid values are what lets a request with many arguments reach the resolvers."""
    return st.one_of(valid, valid, valid, hostile)


def scalar_strategies(
    known_ids: list[str], known_uuids: list[str], now_iso: Callable[[int], str]
) -> dict[str, st.SearchStrategy]:
    """Strategies of GraphQL value nodes for every scalar of the schema, built-in ones too.

    `now_iso(minutes)` gives an aware ISO datetime that many minutes from now, so reports
    can land inside the seeded operation's windows."""
    text = st.text(st.characters(min_codepoint=1, exclude_categories=["Cs"]), max_size=24)
    forged_ids = st.builds(
        to_global_id,
        st.sampled_from(TYPE_NAMES),
        st.one_of(
            st.integers(-(2**70), 2**70).map(str),
            st.sampled_from(["0", "-1", "1.5", " 1", "", "x"]),
            text,
        ),
    )
    small_ints = st.integers(-2, 120)
    ints = _mostly(small_ints, st.integers(-(2**31), 2**31 - 1))
    return {
        "String": _mostly(st.sampled_from(VOCABULARY), text).map(nodes.String),
        "ID": _mostly(
            st.sampled_from(known_ids or ["x"]),
            st.one_of(forged_ids, st.sampled_from(NODE_KEYS), text),
        ).map(nodes.String),
        "Int": ints.map(nodes.Int),
        "Float": _mostly(
            st.floats(-180, 180), st.floats(allow_nan=False, allow_infinity=False)
        ).map(nodes.Float),
        "DateTime": _mostly(
            st.integers(-3 * 24 * 60, 3 * 24 * 60).map(now_iso),
            st.one_of(
                st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
                st.sampled_from(DATETIMES),
            ),
        ).map(nodes.String),
        "Date": _mostly(
            st.dates(date(1930, 1, 1), date(2010, 12, 31)).map(str),
            st.one_of(st.dates().map(str), st.sampled_from(["2027-02-30", "x", ""])),
        ).map(nodes.String),
        "UUID": _mostly(
            st.one_of(st.sampled_from(known_uuids or [str(uuid.uuid4())]), st.uuids().map(str)),
            st.sampled_from(["", "x", "00000000-0000-0000-0000-00000000000"]),
        ).map(nodes.String),
        "Decimal": _mostly(
            st.sampled_from(["120.5", "1", "0.25", "1000", "3"]).map(nodes.String),
            st.one_of(
                st.sampled_from(DECIMALS).map(nodes.String),
                st.decimals(allow_nan=True, allow_infinity=True).map(nodes.String),
                ints.map(nodes.Int),
            ),
        ),
        "JSONString": st.one_of(st.sampled_from(['{"a": 1}', "[]", "{", "1"]), text).map(
            nodes.String
        ),
        "GenericScalar": st.one_of(
            st.sampled_from(VOCABULARY).map(nodes.String), ints.map(nodes.Int)
        ),
    }


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_DROP = object()


def _paths(value, prefix=()):
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def _corrupted(draw, variables: dict) -> dict:
    """The variables with one value (anywhere, at any depth) replaced or dropped."""
    paths = list(_paths(variables))
    if not paths:
        return {draw(st.text(max_size=8)): draw(_JSON)}
    where = draw(st.sampled_from(paths))
    replacement = draw(st.one_of(st.just(_DROP), _JSON))
    result = copy.deepcopy(variables)
    container = result
    for step in where[:-1]:
        container = container[step]
    if replacement is _DROP:
        del container[where[-1]]
    else:
        container[where[-1]] = replacement
    return result


def _lift_arguments(document: graphql.DocumentNode, root: graphql.GraphQLObjectType) -> dict:
    """Move the root field's arguments into variables (changes `document` in place)."""
    operation = document.definitions[0]
    variables, definitions = {}, []
    for selection in operation.selection_set.selections:
        arguments = root.fields[selection.name.value].args
        lifted = []
        for argument in selection.arguments or ():
            name = f"{(selection.alias or selection.name).value}_{argument.name.value}"
            variables[name] = graphql.value_from_ast_untyped(argument.value)
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                    type=graphql.parse_type(str(arguments[argument.name.value].type)),
                )
            )
            lifted.append(
                graphql.ArgumentNode(
                    name=argument.name,
                    value=graphql.VariableNode(name=graphql.NameNode(value=name)),
                )
            )
        selection.arguments = tuple(lifted)
    operation.variable_definitions = tuple(definitions)
    return variables


def requests(
    schema: graphql.GraphQLSchema, root: str, field_name: str, mode: str, scalars: dict
) -> st.SearchStrategy[dict]:
    """Request bodies ({"query", "variables"}) for one root field in one mode."""
    factory = hypothesis_graphql.queries if root == "query" else hypothesis_graphql.mutations
    common = {"fields": [field_name], "custom_scalars": scalars}
    if mode == "literals":
        return factory(schema, **common).map(lambda q: {"query": q})
    if mode == "negative":
        return factory(schema, mode=hypothesis_graphql.Mode.NEGATIVE, **common).map(
            lambda q: {"query": q}
        )
    root_type = schema.query_type if root == "query" else schema.mutation_type

    @st.composite
    def lifted(draw):
        document = draw(factory(schema, print_ast=lambda d: d, **common))
        document = copy.deepcopy(document)
        variables = _lift_arguments(document, root_type)
        if draw(st.booleans()):
            variables = draw(_corrupted(variables))
        return {"query": graphql.print_ast(document), "variables": variables}

    return lifted()


def root_fields(schema: graphql.GraphQLSchema, only: Iterable[str] | None = None):
    """(root, field) for every query and mutation field, in the schema's order."""
    wanted = set(only) if only else None
    for root, type_ in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if type_ is None:
            continue
        for name in type_.fields:
            if wanted is None or name in wanted:
                yield root, name


# --------------------------------------------------------------------------------------
# Findings


@dataclass
class Failure:
    problems: set
    cause: Cause | None
    fields: set = field(default_factory=set)
    personas: set = field(default_factory=set)
    modes: set = field(default_factory=set)
    count: int = 0
    request: dict | None = None  # the smallest request seen (minimised at the end)
    persona: str = ""
    field_name: str = ""
    status: int = 0
    response: str = ""
    traceback: str = ""

    def show(self, body, persona, field_name, exchange: Exchange, cause, chunk) -> None:
        self.request, self.persona, self.field_name = body, persona, field_name
        self.status, self.cause, self.traceback = exchange.status, cause, chunk
        self.response = exchange.body.decode(errors="replace")

    def describe(self) -> str:
        cause = self.cause
        lines = [
            f"{', '.join(sorted(self.problems))}"
            + (f": {cause.exception}" if cause and cause.exception else ""),
            f"  raised at: {cause.project_frame} (innermost: {cause.innermost_frame})"
            if cause
            else "  no server traceback logged",
            f"  seen {self.count}x; fields: {', '.join(sorted(self.fields))}; "
            f"personas: {', '.join(sorted(self.personas))}; modes: {', '.join(sorted(self.modes))}",
            f"  smallest request ({self.persona}): "
            f"{json.dumps(self.request, ensure_ascii=False)[:1500]}",
            f"  answer (HTTP {self.status}): {self.response[:600]}",
        ]
        if self.traceback:
            tail = _through_exception(self.traceback).splitlines()[-14:]
            lines.append("  traceback (end):\n" + "\n".join("    " + line for line in tail))
        return "\n".join(lines)


def failure_keys(field_name: str, exchange: Exchange) -> tuple[list[str], list[tuple]]:
    """The answer's problems, and (key, cause, traceback) for each failure it shows: one
    per exception the server logged, else one keyed by the problems and the field."""
    problems = judge(exchange.status, exchange.content_type, exchange.body)
    if not problems:
        return problems, []
    found = []
    for chunk in split_tracebacks(exchange.server_log):
        cause = cause_of(chunk)
        found.append(((cause.kind, cause.project_frame, cause.innermost_frame), cause, chunk))
    if not found:
        found.append(((tuple(sorted(problems)), field_name), None, ""))
    return problems, found


def outcome_of(field_name: str, exchange: Exchange) -> str:
    """How far a request got: refused (HTTP status), answered with top-level errors,
    answered, or, for a mutation payload, applied or refused with payload errors."""
    try:
        payload = json.loads(exchange.body)
        data = payload.get("data") or {}
        errors = payload.get("errors")
    except (ValueError, AttributeError):
        return f"HTTP {exchange.status}, not JSON"
    if not data:
        return f"HTTP {exchange.status}, no data"
    if errors:
        return "top-level errors"
    answer = data.get(field_name) if isinstance(data, dict) else None
    if isinstance(answer, dict) and isinstance(answer.get("errors"), list):
        return "payload errors" if answer["errors"] else "no errors"
    return "answered"


class Findings:
    """Distinct failures, keyed by the server-side cause (or by the problem and field when
    the server logged nothing), each with the smallest request that showed it."""

    def __init__(self):
        self.failures: dict[tuple, Failure] = {}
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.outcomes: dict[str, dict[str, int]] = {}  # field -> outcome -> requests

    def __bool__(self) -> bool:
        return bool(self.failures)

    def __len__(self) -> int:
        return len(self.failures)

    def record(self, *, field_name, persona, mode, body, exchange: Exchange) -> list[tuple]:
        self.requests += 1
        self.statuses[exchange.status] = self.statuses.get(exchange.status, 0) + 1
        outcomes = self.outcomes.setdefault(field_name, {})
        outcome = outcome_of(field_name, exchange)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        problems, found = failure_keys(field_name, exchange)
        for key, cause, chunk in found:
            failure = self.failures.setdefault(key, Failure(problems=set(), cause=cause))
            failure.problems.update(problems)
            failure.fields.add(field_name)
            failure.personas.add(persona)
            failure.modes.add(mode)
            failure.count += 1
            if failure.request is None or _size(body) < _size(failure.request):
                failure.show(body, persona, field_name, exchange, cause, chunk)
        return found

    def report(self) -> str:
        head = (
            f"{len(self.failures)} distinct failure(s) in {self.requests} requests "
            f"(statuses: {dict(sorted(self.statuses.items()))})"
        )
        return "\n\n".join(
            [head, *(f"[{n}] {f.describe()}" for n, f in enumerate(self.failures.values(), 1))]
        )


def _size(body: dict) -> int:
    return len(json.dumps(body, ensure_ascii=False))


# --------------------------------------------------------------------------------------
# Minimising a failing request: drop what the failure does not need


def _all_nodes(document: graphql.DocumentNode) -> list:
    found = []

    class Collect(graphql.Visitor):
        def enter(self, node, *args):
            found.append(node)

    graphql.visit(document, Collect())
    return found


def _edits(document: graphql.DocumentNode) -> list[tuple[int, str, int]]:
    """(node index, attribute, item) of every single deletion worth trying, big ones first."""
    big, small = [], []
    for index, node in enumerate(_all_nodes(document)):
        if isinstance(node, graphql.SelectionSetNode) and len(node.selections) > 1:
            big += [(index, "selections", j) for j in range(len(node.selections))]
        elif isinstance(node, graphql.FieldNode) and node.arguments:
            big += [(index, "arguments", j) for j in range(len(node.arguments))]
        elif isinstance(node, graphql.ObjectValueNode) and node.fields:
            small += [(index, "fields", j) for j in range(len(node.fields))]
        elif isinstance(node, graphql.ListValueNode) and node.values:
            small += [(index, "values", j) for j in range(len(node.values))]
    return big + small


def _without_unused_variables(document: graphql.DocumentNode, variables: dict) -> dict:
    operation = document.definitions[0]
    used = {
        node.name.value
        for node in _all_nodes(operation.selection_set)
        if isinstance(node, graphql.VariableNode)
    }
    operation.variable_definitions = tuple(
        d for d in operation.variable_definitions or () if d.variable.name.value in used
    )
    return {k: v for k, v in variables.items() if k in used}


def _smaller(body: dict):
    """Requests one deletion smaller than `body`."""
    try:
        document = graphql.parse(body["query"])
    except (graphql.GraphQLError, TypeError, KeyError):
        return
    variables = body.get("variables")
    for index, attribute, item in _edits(document):
        edited = copy.deepcopy(document)
        node = _all_nodes(edited)[index]
        values = list(getattr(node, attribute))
        del values[item]
        setattr(node, attribute, tuple(values))
        candidate = {}
        if isinstance(variables, dict):
            candidate["variables"] = _without_unused_variables(edited, variables)
        elif variables is not None:
            candidate["variables"] = variables
        yield {"query": graphql.print_ast(edited), **candidate}
    if isinstance(variables, dict):
        for where in sorted(_paths(variables), key=len):
            smaller = copy.deepcopy(variables)
            container = smaller
            for step in where[:-1]:
                container = container[step]
            del container[where[-1]]
            yield {**body, "variables": smaller}


def minimise(body: dict, reproduces: Callable[[dict], bool], budget: int = 250) -> dict:
    """The smallest request reached by deleting one piece at a time while `reproduces`."""
    current, improved = body, True
    while improved and budget > 0:
        improved = False
        for candidate in _smaller(current):
            budget -= 1
            if _size(candidate) < _size(current) and reproduces(candidate):
                current, improved = candidate, True
                break
            if budget <= 0:
                break
    return current


# --------------------------------------------------------------------------------------
# The driver


def each_example(
    strategy: st.SearchStrategy, count: int, callback: Callable, *, seed: int | None = None
) -> None:
    """Call `callback` on up to `count` examples of `strategy`, deterministically unless a
    seed is given. Nothing raised by the callback is a Hypothesis failure: the callback
    records, the run goes on (no shrinking; Findings keeps the smallest request)."""

    @settings(
        max_examples=count,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example):
        callback(example)

    if seed is not None:
        run = hypothesis_seed(seed)(run)
    run()


def fuzz(
    transport,
    personas: dict[str, dict],
    scalars: dict,
    *,
    examples: int,
    schema: graphql.GraphQLSchema | None = None,
    fields: Iterable[str] | None = None,
    modes: Iterable[str] = MODES,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    minimise_budget: int = 150,
) -> Findings:
    """Send `examples` requests per root field, mode and persona; return what failed,
    each failure's request minimised with up to `minimise_budget` more requests."""
    if schema is None:
        from graphql_api.schema import schema as project_schema

        schema = project_schema.graphql_schema
    findings = Findings()
    for root, field_name in root_fields(schema, fields):
        for mode in modes:
            strategy = requests(schema, root, field_name, mode, scalars)
            for persona, headers in personas.items():
                before = len(findings)

                def send(body, persona=persona, headers=headers, mode=mode, name=field_name):
                    exchange = transport.send(persona, headers, body)
                    findings.record(
                        field_name=name, persona=persona, mode=mode, body=body, exchange=exchange
                    )

                try:
                    each_example(strategy, examples, send, seed=seed)
                except InvalidArgument:
                    if mode != "negative":
                        raise
                    # nothing to violate: no arguments, hence nothing but the selection
                if progress:
                    new = len(findings) - before
                    progress(
                        f"{root} {field_name} [{mode}, {persona}]: "
                        f"{findings.requests} requests so far, {new} new failure(s)"
                    )
    if minimise_budget:
        for key, failure in findings.failures.items():
            headers = personas[failure.persona]

            def reproduces(body, key=key, failure=failure, headers=headers):
                exchange = transport.send(failure.persona, headers, body)
                found = failure_keys(failure.field_name, exchange)[1]
                for found_key, cause, chunk in found:
                    if found_key == key:
                        failure.show(
                            body, failure.persona, failure.field_name, exchange, cause, chunk
                        )
                        return True
                return False

            minimise(failure.request, reproduces, budget=minimise_budget)
            if progress:
                progress(f"minimised failure {failure.cause or key}")
    return findings


def known_values() -> tuple[list[str], list[str]]:
    """Global ids (and entity-graph keys) of seeded rows, and hits' client ids."""
    from agencies.models import Agency, User
    from network_analysis.models import AnalysisRun
    from operations.models import Actor, Hit, Operation, Participation
    from timeline.models import TimeWindow

    ids: list[str] = []
    for model, name in [
        (Operation, "Operation"),
        (Participation, "Participation"),
        (TimeWindow, "TimeWindow"),
        (Hit, "Hit"),
        (Agency, "Agency"),
        (User, "User"),
        (Actor, "Actor"),
        (AnalysisRun, "AnalysisRun"),
    ]:
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for pk in pks[:4] + pks[-4:]:
            ids.append(to_global_id(name, pk))
            if name in ("Actor", "Hit"):
                ids.append(f"{name.lower()}:{pk}")
    uuids = [str(u) for u in Hit.objects.values_list("client_id", flat=True)[:8]]
    return sorted(set(ids)), uuids


def now_iso(minutes: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


# --------------------------------------------------------------------------------------
# The tests: the schema, fuzzed as named personas

EXAMPLES = 6  # per root field, mode and persona: about 1,400 requests in all


@pytest.fixture
def fuzz_world(coordinator, officer, ng_officer, active_operation, operation):
    """The conftest world (a planned and an active operation) with hits and a finished
    analysis run, and API tokens for the personas."""
    from agencies.services import api_token_create
    from network_analysis.services import run_create, run_execute
    from operations.models import Marking
    from tests.hits.conftest import report

    report(officer, active_operation)
    report(officer, active_operation, marking=Marking.RED)
    report(ng_officer, active_operation, country="NG", location_code="LOS", actors=[])
    run = run_create(actor=coordinator, operations=[active_operation], parameters={})
    run_execute(run.pk)
    return {
        "coordinator": {"Authorization": f"Bearer {api_token_create(user=coordinator)[1]}"},
        "officer": {"Authorization": f"Bearer {api_token_create(user=officer)[1]}"},
        "anonymous": {},
    }


@pytest.mark.parametrize("persona", ["coordinator", "anonymous"])
def test_fuzzed_requests_get_no_5xx_and_no_internal_error(fuzz_world, persona):
    # given: a seeded world, and scalars that reach its rows as well as broken ones
    ids, uuids = known_values()
    scalars = scalar_strategies(ids, uuids, now_iso)

    # when: every root query and mutation is fuzzed as this persona
    findings = fuzz(DjangoTransport(), {persona: fuzz_world[persona]}, scalars, examples=EXAMPLES)

    # then
    assert findings.requests > 0
    if findings:
        pytest.fail(findings.report(), pytrace=False)


# --------------------------------------------------------------------------------------
# The harness, checked against a throwaway schema: it must fail on a 500 and on
# INTERNAL_ERROR, and pass otherwise.


class _SelfTestQuery(graphene.ObjectType):
    echo = graphene.Int(n=graphene.Int())
    crash = graphene.Int(n=graphene.Int())

    @staticmethod
    def resolve_echo(root, info, n=None):
        return n

    @staticmethod
    def resolve_crash(root, info, n=None):
        raise ZeroDivisionError("deliberate")


_SELF_TEST_SCHEMA = graphene.Schema(query=_SelfTestQuery)


class _SelfTestView(GraphQLView):
    """A GraphQL view that masks unexpected exceptions as the project's view does:
    logged with their traceback, answered as INTERNAL_ERROR."""

    @staticmethod
    def format_error(error):
        original = getattr(error, "original_error", None)
        if original is None or isinstance(original, graphql.GraphQLError):
            return GraphQLView.format_error(error)
        logging.getLogger("jointops.selftest").error("Internal error", exc_info=original)
        return {"message": "Internal server error.", "extensions": {"code": INTERNAL_ERROR}}


def _server_error_view(request):
    raise RuntimeError("deliberate 500")


def _html_view(request):
    return HttpResponse("<p>not JSON</p>", status=400)


urlpatterns = [  # the self-test's URLconf (settings.ROOT_URLCONF = this module)
    path("selftest/graphql/", _SelfTestView.as_view(schema=_SELF_TEST_SCHEMA, middleware=[])),
    path("selftest/500/", _server_error_view),
    path("selftest/html/", _html_view),
]


def _self_test(fields, url) -> Findings:
    schema = _SELF_TEST_SCHEMA.graphql_schema
    scalars = scalar_strategies([], [], now_iso)
    return fuzz(
        DjangoTransport(url), {"anonymous": {}}, scalars, examples=5, schema=schema, fields=fields
    )


@pytest.fixture
def selftest_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_judge_refuses_server_errors_internal_errors_and_non_json():
    ok = json.dumps({"data": {"x": 1}}).encode()
    client_error = json.dumps(
        {"errors": [{"message": "bad id", "extensions": {"code": "INVALID_ID"}}], "data": None}
    ).encode()
    internal = json.dumps(
        {"errors": [{"message": "x", "extensions": {"code": "INTERNAL_ERROR"}}], "data": None}
    ).encode()

    assert judge(200, "application/json", ok) == []
    assert judge(400, "application/json", client_error) == []
    assert judge(200, "application/json", internal) == [INTERNAL_ERROR]
    assert judge(500, "application/json", ok) == ["HTTP 500"]
    assert judge(502, "text/html", b"<h1>Bad gateway</h1>") == [
        "HTTP 502",
        "content type 'text/html'",
        "body is not JSON",
    ]
    assert judge(200, "application/json", b"[]") == ["not a GraphQL response (no data, no errors)"]


def test_harness_passes_a_sound_field(db, selftest_urls):
    findings = _self_test(["echo"], "/selftest/graphql/")

    assert findings.requests == 15  # 5 examples x 3 modes
    assert not findings, findings.report()


def test_harness_finds_an_internal_error_with_its_traceback(db, selftest_urls):
    findings = _self_test(["crash"], "/selftest/graphql/")

    # the negative mode is refused by validation; the other two reach the resolver
    assert len(findings) == 1, findings.report()
    failure = next(iter(findings.failures.values()))
    assert failure.problems == {INTERNAL_ERROR}
    assert failure.cause.exception == "ZeroDivisionError: deliberate"
    assert failure.cause.project_frame.startswith("tests/graphql/test_fuzz.py:")
    assert failure.cause.project_frame.endswith("in resolve_crash")
    assert failure.modes == {"literals", "variables"}


def test_harness_finds_a_server_error(db, selftest_urls):
    findings = _self_test(["echo"], "/selftest/500/")

    assert len(findings) == 1, findings.report()
    failure = next(iter(findings.failures.values()))
    assert failure.problems == {
        "HTTP 500",
        "content type 'text/html; charset=utf-8'",
        "body is not JSON",
    }
    assert failure.cause.exception == "RuntimeError: deliberate 500"
    assert failure.count == 15


def test_harness_finds_a_non_json_answer(db, selftest_urls):
    findings = _self_test(["echo"], "/selftest/html/")

    assert len(findings) == 1, findings.report()
    failure = next(iter(findings.failures.values()))
    assert failure.cause is None
    assert "body is not JSON" in failure.problems


def test_tracebacks_are_split_per_logged_exception_and_read_from_the_end():
    log = (
        "Internal error in GraphQL request\n"
        "Traceback (most recent call last):\n"
        f'  File "{ROOT}/operations/services.py", line 10, in a\n'
        "    x = 1 / 0\n"
        "ZeroDivisionError: division by zero\n"
        "\n"
        "During handling of the above exception, another exception occurred:\n"
        "\n"
        "Traceback (most recent call last):\n"
        f'  File "{ROOT}/graphql_api/views.py", line 20, in b\n'
        "    y()\n"
        '  File "/x/.venv/lib/python3.11/site-packages/graphql/execution.py", line 5, in y\n'
        "    raise KeyError('k')\n"
        "KeyError: 'k'\n"
        "Bad Request: /graphql/\n"
        "Internal Server Error: /graphql/\n"
        "Traceback (most recent call last):\n"
        f'  File "{ROOT}/config/urls.py", line 3, in c\n'
        "    raise ValueError('v')\n"
        "ValueError: v\n"
    )

    chunks = split_tracebacks(log)

    assert len(chunks) == 2
    assert cause_of(chunks[0]) == Cause(
        "KeyError: 'k'", "graphql_api/views.py:20 in b", "graphql/execution.py:5 in y"
    )
    assert cause_of(chunks[1]) == Cause(
        "ValueError: v", "config/urls.py:3 in c", "config/urls.py:3 in c"
    )
