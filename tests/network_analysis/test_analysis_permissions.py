"""The rule of issue 5: an analyst never sees, in any result, report, export or count, an
entity that exists only in hits hidden from them.

The scene (``LIVE-OP``, active): ``analyst`` (CR customs) is the named analyst; they may see
AMBER hits of every agency and the RED hits of their own agency. NG customs reports two hits
hidden from the analyst, a RED one and an AMBER+STRICT one, full of distinctive names,
identifiers, a transit country, commodities and places (``HIDDEN_NEEDLES``); then CR customs
and NG customs report three visible hits. The coordinator sees everything: every probe is
checked on the coordinator's answers too, so no assertion passes for want of data.
"""

import html
import io
import json
import re
import uuid
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.test import Client
from graphql_relay import to_global_id
from pypdf import PdfReader

from network_analysis.exports import EXPORT_FORMATS
from network_analysis.models import AnalysisRun
from network_analysis.reports import REPORT_FORMATS
from operations import services as operation_services
from operations.models import Actor, Hit, Marking
from tests.conftest import accept, gql, make_operation
from tests.hits.conftest import report

pytestmark = pytest.mark.django_db

# --- the scene -----------------------------------------------------------------------------

CARLOS_PHONE = "+506 8888 1234"  # shared by the visible Carlos and the hidden Ximena

HIDDEN_RED = {
    "marking": Marking.RED,
    "country": "BJ",
    "place": "Quay Seventy-Seven",
    "location_code": "COO",
    "location_type": "airport",
    "mode_of_transport": "air",
    "concealment": "Hollowed surfboard",
    "items": [{"commodity": "fentanyl", "quantity": "7.777", "unit": "kg"}],
    "shipment": {
        "container_number": "CSQU3054383",
        "flight_number": "QZ7788",
        "departure_country": "NG",
        "transit_countries": ["UZ"],
        "destination_country": "BJ",
    },
    "actors": [
        {
            "kind": "person",
            "role": "consignor",
            "name": "Zebulon Quartermaine",
            "nationality": "NG",
            "date_of_birth": date(1977, 7, 7),
            "phones": ["+234 803 555 0199"],
            "emails": ["zq.hidden@example.ng"],
            "documents": [{"kind": "passport", "number": "ZQ998877", "country": "NG"}],
        },
        {
            "kind": "person",
            "role": "consignee",
            "name": "Ximena Hiddenberg",  # Carlos's passport: one entity with him
            "phones": [CARLOS_PHONE],
            "documents": [{"kind": "passport", "number": "CR1122334", "country": "CR"}],
        },
        {
            "kind": "person",
            "role": "courier",
            "name": "Ivan Petroff",
            "nationality": "RU",
            "date_of_birth": date(1980, 2, 3),
        },
    ],
}
HIDDEN_STRICT = {
    "marking": Marking.AMBER_STRICT,
    "country": "NG",
    "place": "Lagos Murtala Muhammed",
    "location_code": "LOS",
    "concealment": "Carbon-fibre skis",
    "items": [{"commodity": "nitazenes", "quantity": "0.5", "unit": "kg"}],
    "shipment": {"departure_country": "MN", "destination_country": "NG"},
    "actors": [
        {
            "kind": "organisation",
            "role": "forwarder",
            "name": "Yolanda Strictwood Logistics",
            "nationality": "NG",
            "registration_number": "RC7654321",
            "emails": ["ops@strictwood.example"],
        }
    ],
}
VISIBLE_CR_AMBER = {
    "marking": Marking.AMBER,
    "concealment": "Wing compartment",
    "items": [{"commodity": "cocaine", "quantity": "120.5", "unit": "kg"}],
    "actors": [
        {
            "kind": "person",
            "role": "pilot",
            "name": "Carlos Visible",
            "nationality": "CR",
            "phones": [CARLOS_PHONE],
            "emails": ["carlos.visible@example.cr"],
            "documents": [{"kind": "passport", "number": "CR1122334", "country": "CR"}],
        }
    ],
}
VISIBLE_CR_RED = {  # the analyst's own agency: visible to the analyst, not in "redacted"
    "marking": Marking.RED,
    "concealment": "Double-bottom suitcase",
    "items": [{"commodity": "heroin", "quantity": "3", "unit": "kg"}],
    "shipment": {"departure_country": "PK", "destination_country": "CR"},
    "actors": [
        {
            "kind": "person",
            "role": "courier",
            "name": "Ivan Petrov",
            "nationality": "RU",
            "date_of_birth": date(1980, 2, 3),
            "phones": ["+506 8777 4321"],
        }
    ],
}
VISIBLE_NG_AMBER = {
    "marking": Marking.AMBER,
    "concealment": "Coffee sacks",
    "items": [{"commodity": "cannabis_resin", "quantity": "40", "unit": "kg"}],
    "actors": [
        {
            "kind": "person",
            "role": "consignee",
            "name": "Иван Петров",  # no date of birth: a suggestion, not a merge
            "nationality": "RU",
        },
        {"kind": "person", "role": "consignor", "name": "Dmitri Openov", "nationality": "RU"},
    ],
}

# Strings that exist only in the hidden hits (whitespace and case are ignored when looking).
HIDDEN_NEEDLES = (
    "Zebulon",
    "Quartermaine",
    "Ximena",
    "Hiddenberg",
    "Petroff",
    "Strictwood",
    "2348035550199",
    "zq.hidden@example.ng",
    "ops@strictwood.example",
    "ZQ998877",
    "RC7654321",
    "CSQU3054383",
    "QZ7788",
    "Uzbekistan",
    "Mongolia",
    "Benin",
    "fentanyl",
    "nitazenes",
    "Hollowed surfboard",
    "Carbon-fibre skis",
    "Quay Seventy-Seven",
    "Murtala",
)
HIDDEN_CODES = ("UZ", "MN", "BJ", "COO", "LOS")  # looked for as whole words
# Nominal data of the visible hits: never in a redacted edition.
VISIBLE_NOMINAL = (
    "Carlos",
    "Petrov",
    "Петров",
    "Openov",
    "50688881234",
    "50687774321",
    "carlos.visible@example.cr",
    "CR1122334",
)
# Non-nominal data of the analyst's own RED hit: in the analyst's full edition only.
VISIBLE_RED_ONLY = ("Double-bottom suitcase", "heroin", "Pakistan")


class Scene:
    def __init__(self, operation, hidden, visible):
        self.operation = operation
        self.hidden = hidden  # [RED, AMBER+STRICT] hits of NG customs
        self.visible = visible  # [CR AMBER, CR RED, NG AMBER]
        self.op_id = to_global_id("Operation", operation.pk)

    def actor(self, name: str) -> Actor:
        return Actor.objects.get(hit__operation=self.operation, name=name)

    @property
    def hidden_actor_pks(self) -> list[int]:
        return list(Actor.objects.filter(hit__in=self.hidden).values_list("pk", flat=True))


@pytest.fixture
def scene(active_operation, coordinator, officer, ng_officer, analyst):
    operation_services.operation_update(
        actor=coordinator, operation=active_operation, analysts=[analyst]
    )
    hidden = [report(ng_officer, active_operation, **HIDDEN_RED).hit]
    hidden.append(report(ng_officer, active_operation, **HIDDEN_STRICT).hit)
    visible = [
        report(officer, active_operation, **VISIBLE_CR_AMBER).hit,
        report(officer, active_operation, **VISIBLE_CR_RED).hit,
        report(ng_officer, active_operation, **VISIBLE_NG_AMBER).hit,
    ]
    return Scene(active_operation, hidden, visible)


# --- GraphQL documents -----------------------------------------------------------------------

_URLS = "\n".join(
    [
        f"report_{fmt}_{ed}: reportUrl(format: {fmt.upper()}, edition: {ed.upper()})"
        for fmt in REPORT_FORMATS
        for ed in ("full", "redacted")
    ]
    + [
        f"export_{fmt}_{ed}: exportUrl(format: {fmt.upper()}, edition: {ed.upper()})"
        for fmt in EXPORT_FORMATS
        for ed in ("full", "redacted")
    ]
)
RUN = """
mutation Run($ids: [ID!]!) {
  runNetworkAnalysis(operationIds: $ids) {
    errors { field code message }
    executed
    run {
      id state hitCount fingerprint reused
      full: results(edition: FULL)
      redacted: results(edition: REDACTED)
      URLS
    }
  }
}
""".replace("URLS", _URLS)
RUN_ONLY = """
mutation Run($ids: [ID!]!) {
  runNetworkAnalysis(operationIds: $ids) { errors { field code message } run { id } }
}
"""
RUNS = "query { analysisRuns { id } }"
RUN_BY_ID = "query R($id: ID!) { analysisRun(id: $id) { id state hitCount } }"
NODE = "query N($id: ID!) { node(id: $id) { id ... on AnalysisRun { state } } }"
SUGGESTIONS = """
query S($ids: [ID!]!) {
  entitySuggestions(operationIds: $ids, minScore: 0.5) {
    totalCount
    edges { node {
      actorA { id name phones emails documents { number country } }
      actorB { id name phones emails documents { number country } }
      entityA { id actors { id name } mergedBecause { actorAId actorBId rule evidence } }
      entityB { id actors { id name } mergedBecause { actorAId actorBId rule evidence } }
      operationA operationB score reasons
    } }
  }
}
"""
DECISIONS = """
query D($ids: [ID!]!) {
  entityDecisions(operationIds: $ids) {
    actorA { id name phones emails documents { number country } }
    actorB { id name phones emails documents { number country } }
    verdict score
  }
}
"""
NETWORK = """
query E($id: ID!, $depth: Int, $ids: [ID!]) {
  entityNetwork(id: $id, depth: $depth, operationIds: $ids) {
    nodes { id kind label attributes } edges { source target kind weight }
  }
}
"""
PATH = """
query P($from: ID!, $to: ID!) {
  shortestPath(from: $from, to: $to) { id kind label attributes }
}
"""
DECIDE = """
mutation Decide($a: ID!, $b: ID!, $verdict: EntityVerdict!) {
  decideEntities(actorAId: $a, actorBId: $b, verdict: $verdict) {
    errors { field code message } decision { verdict }
  }
}
"""


# --- helpers -----------------------------------------------------------------------------------


def nodes(connection: dict) -> list[dict]:
    return [edge["node"] for edge in connection["edges"]]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def found_in(text: str, needles=HIDDEN_NEEDLES, codes=HIDDEN_CODES) -> set[str]:
    # The HTML report's pictures are base64 (where "+MN/" would be a word); their alt text
    # names what they show and stays.
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", text)
    flat = squash(text)
    hits = {n for n in needles if squash(n) in flat}
    return hits | {c for c in codes if re.search(rf"\b{c}\b", text)}


def run_as(user, scene) -> dict:
    answer = gql(user, RUN, {"ids": [scene.op_id]})
    assert "errors" not in answer, answer
    payload = answer["data"]["runNetworkAnalysis"]
    assert payload["errors"] == []
    assert payload["executed"] == "inline"
    assert payload["run"]["state"] == "SUCCEEDED"
    return payload["run"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    return meta + "\n" + "\n".join(page.extract_text() for page in reader.pages)


def downloads(user, run: dict, editions=("full", "redacted")) -> dict[str, str]:
    """Every report and export of these editions, as text."""
    client = client_for(user)
    texts = {}
    for key, url in run.items():
        if not key.startswith(("report_", "export_")) or not key.endswith(editions):
            continue
        response = client.get(url)
        assert response.status_code == 200, (key, response.content[:200])
        opens = "inline;" if key.startswith(("report_html", "report_pdf")) else "attachment;"
        assert response["Content-Disposition"].startswith(opens)
        content = b"".join(response) if response.streaming else response.content
        texts[key] = pdf_text(content) if key.startswith("report_pdf") else content.decode()
        if key.startswith("report_html"):
            texts[key] = html.unescape(texts[key])
    return texts


def everything(user, scene, editions=("full", "redacted")) -> dict[str, str]:
    """Every output of a run: results, count, reports and exports of these editions."""
    run = run_as(user, scene)
    outputs = {"hit_count": str(run["hitCount"])}
    for edition in editions:
        outputs[f"results_{edition}"] = json.dumps(run[edition], ensure_ascii=False)
    outputs.update(downloads(user, run, editions))
    return outputs


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def error_of(answer: dict) -> tuple[str, str]:
    error = answer["errors"][0]
    return error["extensions"]["code"], error["message"]


# --- results, reports, exports, counts -------------------------------------------------------


def test_hidden_hits_are_nowhere_in_the_analysts_outputs(scene, analyst, coordinator):
    mine = everything(analyst, scene)
    theirs = everything(coordinator, scene, editions=("full",))

    assert len(mine) == 1 + 2 * (1 + len(REPORT_FORMATS) + len(EXPORT_FORMATS))
    leaks = {key: found_in(text) for key, text in mine.items() if found_in(text)}
    assert leaks == {}
    # Not vacuous: the coordinator's full edition holds every probe, and each of its
    # reports and exports holds some.
    seen = set().union(*(found_in(text) for text in theirs.values()))
    assert seen == set(HIDDEN_NEEDLES) | set(HIDDEN_CODES)
    for key, text in theirs.items():
        if key != "hit_count":
            assert found_in(text), key


def test_hidden_hits_are_not_counted(scene, analyst, coordinator):
    mine, theirs = run_as(analyst, scene), run_as(coordinator, scene)

    assert mine["hitCount"] == 3 and theirs["hitCount"] == 5
    assert mine["full"]["scope"]["hits"] == mine["full"]["statistics"]["totals"]["hits"] == 3
    assert mine["full"]["statistics"]["totals"]["kilograms"] == pytest.approx(163.5)
    assert theirs["full"]["statistics"]["totals"]["kilograms"] == pytest.approx(171.777)
    assert mine["redacted"]["scope"]["hits"] == theirs["redacted"]["scope"]["hits"] == 2
    # Carlos, Ivan Petrov, Иван Петров, Dmitri Openov; the coordinator also sees Zebulon,
    # Ivan Petroff and Strictwood (Ximena is one entity with Carlos: the same passport).
    assert mine["full"]["network"]["graph"]["nodes_by_kind"]["actor"] == 4
    assert theirs["full"]["network"]["graph"]["nodes_by_kind"]["actor"] == 7


def test_the_analysts_results_are_those_of_the_operation_without_the_hidden_hits(
    scene, analyst, coordinator
):
    """The strongest form of the rule: the fingerprint covers everything an analysis reads,
    and deleting the hidden hits does not change the analyst's."""
    mine, theirs = run_as(analyst, scene), run_as(coordinator, scene)

    Hit.objects.filter(pk__in=[h.pk for h in scene.hidden]).delete()
    mine_after, theirs_after = run_as(analyst, scene), run_as(coordinator, scene)

    assert mine_after["fingerprint"] == mine["fingerprint"]
    assert mine_after["reused"] is True
    assert theirs_after["fingerprint"] != theirs["fingerprint"]


def test_a_visible_entity_is_not_named_after_a_hidden_actor_sharing_its_phone(
    scene, analyst, coordinator
):
    """Ximena (hidden, reported first: the smaller pk) holds Carlos's passport."""
    labels, their_labels = entity_labels(analyst, scene), entity_labels(coordinator, scene)
    mine, theirs = run_as(analyst, scene), run_as(coordinator, scene)

    carlos = scene.actor("Carlos Visible").pk
    assert labels[f"actor:{carlos}"] == "Carlos Visible"
    ximena = scene.actor("Ximena Hiddenberg").pk
    assert their_labels[f"actor:{ximena}"] == "Ximena Hiddenberg"
    assert f"actor:{carlos}" not in their_labels
    # Why, in the coordinator's results only: the passport, an automatic merge.
    merged = theirs["full"]["identity"]["merged_entities"]
    assert [(e["id"], e["actors"]) for e in merged] == [(f"actor:{ximena}", 2)]
    assert merged[0]["merged_because"] == [
        {"actors": [ximena, carlos], "rule": "document", "evidence": "same passport CR CR1122334"}
    ]
    assert mine["full"]["identity"]["merged_entities"] == []


def entity_labels(user, scene) -> dict[str, str]:
    """Node key -> label of every entity of the user's full edition (its graph export:
    key entities list only those that lie between others)."""
    run = run_as(user, scene)
    graph = client_for(user).get(path_of(run["export_json_full"])).json()
    return {node["id"]: node["label"] for node in graph["nodes"]}


def test_hidden_hits_and_actors_have_no_node_in_the_analysts_graph(scene, analyst, coordinator):
    run = run_as(analyst, scene)
    graph = client_for(analyst).get(path_of(run["export_json_full"])).json()
    nodes = {node["id"] for node in graph["nodes"]}

    hidden_keys = {f"hit:{h.pk}" for h in scene.hidden} | {
        f"actor:{pk}" for pk in scene.hidden_actor_pks
    }
    assert nodes & hidden_keys == set()
    assert {f"hit:{h.pk}" for h in scene.visible} <= nodes
    their_run = run_as(coordinator, scene)
    their_graph = client_for(coordinator).get(path_of(their_run["export_json_full"])).json()
    assert {f"hit:{h.pk}" for h in scene.hidden} <= {node["id"] for node in their_graph["nodes"]}


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_redacted_edition_has_no_nominal_data_and_no_restricted_hit(scene, persona, request):
    user = request.getfixturevalue(persona)
    outputs = everything(user, scene, editions=("redacted",))
    run = run_as(user, scene)
    graph = client_for(user).get(path_of(run["export_json_redacted"])).json()
    full_graph = client_for(user).get(path_of(run["export_json_full"])).content.decode()

    for key, text in outputs.items():
        assert found_in(text) == set(), key
        assert found_in(text, VISIBLE_NOMINAL, ()) == set(), key
        assert found_in(text, VISIBLE_RED_ONLY, ()) == set(), key
    kinds = {node["kind"] for node in graph["nodes"]}
    assert kinds <= {"hit", "shipment", "identifier", "conveyance", "location", "country"}
    assert [n["id"] for n in graph["nodes"] if n.get("nominal")] == []
    hits = {node["id"] for node in graph["nodes"] if node["kind"] == "hit"}
    assert hits == {f"hit:{scene.visible[0].pk}", f"hit:{scene.visible[2].pk}"}
    assert {n["marking"] for n in graph["nodes"] if n["kind"] == "hit"} == {"AMBER"}
    # Not vacuous: the full edition of the same run has them.
    assert found_in(full_graph, VISIBLE_NOMINAL, ()) == set(VISIBLE_NOMINAL)
    assert found_in(json.dumps(run["full"]), VISIBLE_RED_ONLY, ()) == set(VISIBLE_RED_ONLY)


def test_the_analysts_own_red_hit_is_in_their_full_edition_only(scene, analyst):
    run = run_as(analyst, scene)

    assert found_in(json.dumps(run["full"]), VISIBLE_RED_ONLY, ()) == set(VISIBLE_RED_ONLY)
    assert found_in(json.dumps(run["redacted"]), VISIBLE_RED_ONLY, ()) == set()
    assert run["full"]["scope"]["hits"] == 3 and run["redacted"]["scope"]["hits"] == 2


# --- suggestions, decisions, entity network, paths ------------------------------------------


def test_entity_suggestions_never_name_a_hidden_actor(scene, analyst, coordinator):
    mine = nodes(gql(analyst, SUGGESTIONS, {"ids": [scene.op_id]})["data"]["entitySuggestions"])
    theirs = nodes(
        gql(coordinator, SUGGESTIONS, {"ids": [scene.op_id]})["data"]["entitySuggestions"]
    )

    hidden_ids = {to_global_id("Actor", pk) for pk in scene.hidden_actor_pks}
    mine_ids = {s[side]["id"] for s in mine for side in ("actorA", "actorB")}
    assert mine_ids & hidden_ids == set()
    assert found_in(json.dumps(mine, ensure_ascii=False)) == set()
    petrovs = frozenset(
        to_global_id("Actor", scene.actor(name).pk) for name in ("Ivan Petrov", "Иван Петров")
    )
    assert petrovs in {frozenset((s["actorA"]["id"], s["actorB"]["id"])) for s in mine}
    # Not vacuous: the coordinator is offered Ivan Petroff too.
    assert to_global_id("Actor", scene.actor("Ivan Petroff").pk) in {
        s[side]["id"] for s in theirs for side in ("actorA", "actorB")
    }


def test_entity_decisions_about_hidden_actors_are_not_shown_nor_used(scene, analyst, coordinator):
    zebulon = to_global_id("Actor", scene.actor("Zebulon Quartermaine").pk)
    dmitri = to_global_id("Actor", scene.actor("Dmitri Openov").pk)
    carlos = to_global_id("Actor", scene.actor("Carlos Visible").pk)
    for a, b in ((dmitri, zebulon), (zebulon, carlos)):
        answer = gql(coordinator, DECIDE, {"a": a, "b": b, "verdict": "CONFIRMED"})
        assert answer["data"]["decideEntities"]["errors"] == []

    mine = gql(analyst, DECISIONS, {"ids": [scene.op_id]})["data"]["entityDecisions"]
    theirs = gql(coordinator, DECISIONS, {"ids": [scene.op_id]})["data"]["entityDecisions"]
    run = run_as(analyst, scene)

    assert mine == []
    assert len(theirs) == 2
    # Dmitri and Carlos are one entity only through Zebulon: not for the analyst.
    ids = set(entity_labels(analyst, scene))
    assert {
        f"actor:{scene.actor('Carlos Visible').pk}",
        f"actor:{scene.actor('Dmitri Openov').pk}",
    } <= ids
    assert run["full"]["methodology"]["resolution"]["confirmed_merges"] == 0


@pytest.mark.parametrize(
    "key",
    [
        "actor_id",
        "actor_key",
        "hit",
        "phone",
        "email",
        "document",
        "container",
        "flight",
        "country",
        "location",
    ],
)
def test_entity_network_of_a_hidden_entity_is_not_found_like_a_missing_one(
    scene, analyst, coordinator, key
):
    zebulon = scene.actor("Zebulon Quartermaine").pk
    hidden_hit = scene.hidden[0].pk
    ids = {
        "actor_id": (to_global_id("Actor", zebulon), to_global_id("Actor", 987654)),
        "actor_key": (f"actor:{zebulon}", "actor:987654"),
        "hit": (f"hit:{hidden_hit}", "hit:987654"),
        "phone": ("identifier:phone:+2348035550199", "identifier:phone:+2348035550100"),
        "email": ("identifier:email:zq.hidden@example.ng", "identifier:email:nobody@example.ng"),
        "document": ("identifier:document:NG:ZQ998877", "identifier:document:NG:ZQ000000"),
        "container": ("identifier:container:CSQU3054383", "identifier:container:MSCU1234565"),
        "flight": ("conveyance:flight:QZ7788", "conveyance:flight:QZ0001"),
        "country": ("country:BJ", "country:TG"),
        "location": ("location:COO", "location:ABJ"),
    }
    hidden, missing = ids[key]

    for depth in (1, 4):
        real = gql(analyst, NETWORK, {"id": hidden, "depth": depth})
        fake = gql(analyst, NETWORK, {"id": missing, "depth": depth})
        assert real["data"] is None and fake["data"] is None
        assert len(real["errors"]) == len(fake["errors"]) == 1
        code, message = error_of(real)
        assert code == "NOT_FOUND"
        assert (code, message.replace(hidden, "<id>")) == (
            error_of(fake)[0],
            error_of(fake)[1].replace(missing, "<id>"),
        )
    # Not vacuous: the coordinator finds it.
    assert gql(coordinator, NETWORK, {"id": hidden})["data"]["entityNetwork"]["nodes"]


def test_entity_network_of_a_visible_actor_holds_nothing_hidden(scene, analyst, coordinator):
    carlos = to_global_id("Actor", scene.actor("Carlos Visible").pk)

    mine = gql(analyst, NETWORK, {"id": carlos, "depth": 4})["data"]["entityNetwork"]
    theirs = gql(coordinator, NETWORK, {"id": carlos, "depth": 4})["data"]["entityNetwork"]

    assert mine["nodes"]
    assert found_in(json.dumps(mine, ensure_ascii=False)) == set()
    assert found_in(json.dumps(theirs, ensure_ascii=False))


def test_shortest_path_to_a_hidden_actor_is_not_found(scene, analyst, coordinator):
    carlos = to_global_id("Actor", scene.actor("Carlos Visible").pk)
    dmitri = to_global_id("Actor", scene.actor("Dmitri Openov").pk)
    zebulon = to_global_id("Actor", scene.actor("Zebulon Quartermaine").pk)

    hidden = gql(analyst, PATH, {"from": carlos, "to": zebulon})
    missing = gql(analyst, PATH, {"from": carlos, "to": to_global_id("Actor", 987654)})
    visible = gql(analyst, PATH, {"from": carlos, "to": dmitri})
    theirs = gql(coordinator, PATH, {"from": carlos, "to": zebulon})

    assert error_of(hidden)[0] == error_of(missing)[0] == "NOT_FOUND"
    assert hidden["data"] is None
    assert visible["data"]["shortestPath"]
    assert found_in(json.dumps(visible, ensure_ascii=False)) == set()
    assert theirs["data"]["shortestPath"]


def test_deciding_on_a_hidden_actor_is_not_found_like_a_missing_one(scene, analyst):
    carlos = to_global_id("Actor", scene.actor("Carlos Visible").pk)
    zebulon = to_global_id("Actor", scene.actor("Zebulon Quartermaine").pk)

    hidden = gql(analyst, DECIDE, {"a": carlos, "b": zebulon, "verdict": "CONFIRMED"})
    missing = gql(
        analyst, DECIDE, {"a": carlos, "b": to_global_id("Actor", 987654), "verdict": "CONFIRMED"}
    )

    assert hidden["data"]["decideEntities"] == missing["data"]["decideEntities"]
    assert hidden["data"]["decideEntities"] == {
        "errors": [{"field": "actorBId", "code": "NOT_FOUND", "message": "Actor not found."}],
        "decision": None,
    }


# --- who may run an analysis ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "observer"])
def test_participants_who_are_not_analysts_are_refused(scene, persona, request):
    user = request.getfixturevalue(persona)

    answer = gql(user, RUN_ONLY, {"ids": [scene.op_id]})

    assert answer["data"]["runNetworkAnalysis"] == {
        "errors": [
            {
                "field": "operationIds",
                "code": "PERMISSION_DENIED",
                "message": "You are not allowed to do this in this operation.",
            }
        ],
        "run": None,
    }
    assert not AnalysisRun.objects.exists()


def test_an_operation_the_outsider_may_not_see_is_not_found_like_a_missing_one(scene, outsider):
    real = gql(outsider, RUN_ONLY, {"ids": [scene.op_id]})
    fake = gql(outsider, RUN_ONLY, {"ids": [to_global_id("Operation", 987654)]})

    assert real == fake
    assert real["data"]["runNetworkAnalysis"]["errors"] == [
        {"field": "operationIds", "code": "NOT_FOUND", "message": "1 Operation(s) not found."}
    ]


def test_an_analyst_is_refused_an_operation_their_agency_takes_no_part_in_like_a_missing_one(
    scene, analyst, coordinator
):
    elsewhere = make_operation(coordinator, code="ELSEWHERE")

    real = gql(analyst, RUN_ONLY, {"ids": [scene.op_id, to_global_id("Operation", elsewhere.pk)]})
    fake = gql(analyst, RUN_ONLY, {"ids": [scene.op_id, to_global_id("Operation", 987654)]})

    assert real == fake
    assert [e["code"] for e in real["data"]["runNetworkAnalysis"]["errors"]] == ["NOT_FOUND"]
    assert not AnalysisRun.objects.exists()


def test_anonymous_may_not_run_an_analysis(scene):
    answer = gql(None, RUN_ONLY, {"ids": [scene.op_id]})

    assert error_of(answer)[0] == "NOT_AUTHENTICATED"
    assert "data" not in answer  # refused as a whole request (HTTP 401)


# --- whose run is it ----------------------------------------------------------------------------


@pytest.fixture
def analysts_run(scene, analyst) -> dict:
    return run_as(analyst, scene)


@pytest.mark.parametrize("persona", ["coordinator", "outsider", "officer"])
def test_nobody_else_can_read_a_run(analysts_run, persona, request):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    run_id = analysts_run["id"]
    random_id = to_global_id("AnalysisRun", str(uuid.uuid4()))

    assert gql(user, RUN_BY_ID, {"id": run_id}) == {"data": {"analysisRun": None}}
    assert gql(user, RUN_BY_ID, {"id": random_id}) == {"data": {"analysisRun": None}}
    garbage = to_global_id("AnalysisRun", "12")  # the right type, not a UUID
    assert gql(user, RUN_BY_ID, {"id": garbage}) == {"data": {"analysisRun": None}}
    malformed = gql(user, NODE, {"id": garbage})  # node() tells a malformed id, as for any type
    assert malformed["data"] == {"node": None}
    assert [e["extensions"]["code"] for e in malformed["errors"]] == ["INVALID_ID"]
    assert gql(user, NODE, {"id": run_id}) == {"data": {"node": None}}
    assert gql(user, RUNS) == {"data": {"analysisRuns": []}}
    run_pk = AnalysisRun.objects.get().pk
    for key, url in analysts_run.items():
        if not key.startswith(("report_", "export_")):
            continue
        path = path_of(url)
        real = client.get(path)
        fake = client.get(path.replace(str(run_pk), str(uuid.uuid4())))
        assert real.status_code == fake.status_code == 404, key
        assert real.content == fake.content


@pytest.mark.parametrize("garbage", ["nonsense", to_global_id("Operation", "12")])
def test_a_malformed_run_id_is_refused_without_an_internal_error(analysts_run, analyst, garbage):
    answer = gql(analyst, RUN_BY_ID, {"id": garbage})

    assert answer["data"] == {"analysisRun": None}
    codes = [e["extensions"]["code"] for e in answer.get("errors", [])]
    assert codes in ([], ["INVALID_ID"])


def test_anonymous_cannot_read_a_run(analysts_run):
    client = Client()
    run_id = analysts_run["id"]

    for document in (RUN_BY_ID, NODE):
        answer = gql(None, document, {"id": run_id})
        assert error_of(answer)[0] == "NOT_AUTHENTICATED"
    report = client.get(path_of(analysts_run["report_html_full"]))
    export = client.get(path_of(analysts_run["export_stix_redacted"]))

    for response in (report, export):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["errors"][0]["code"] == "PERMISSION_DENIED"
        assert "Quartermaine" not in response.content.decode()


def test_the_creator_reads_their_run(analysts_run, analyst):
    assert gql(analyst, RUN_BY_ID, {"id": analysts_run["id"]})["data"]["analysisRun"] == {
        "id": analysts_run["id"],
        "state": "SUCCEEDED",
        "hitCount": 3,
    }
    assert gql(analyst, NODE, {"id": analysts_run["id"]})["data"]["node"]["state"] == "SUCCEEDED"
    assert gql(analyst, RUNS) == {"data": {"analysisRuns": [{"id": analysts_run["id"]}]}}


def test_a_run_disappears_once_its_creator_is_no_longer_analyst(
    scene, analysts_run, analyst, coordinator
):
    operation_services.operation_update(actor=coordinator, operation=scene.operation, analysts=[])

    assert gql(analyst, RUNS) == {"data": {"analysisRuns": []}}
    assert gql(analyst, RUN_BY_ID, {"id": analysts_run["id"]}) == {"data": {"analysisRun": None}}
    assert gql(analyst, NODE, {"id": analysts_run["id"]}) == {"data": {"node": None}}
    response = client_for(analyst).get(path_of(analysts_run["report_json_full"]))
    assert response.status_code == 404
    # Named again, they see it again: nothing was deleted.
    operation_services.operation_update(
        actor=coordinator, operation=scene.operation, analysts=[analyst]
    )
    assert gql(analyst, RUNS) == {"data": {"analysisRuns": [{"id": analysts_run["id"]}]}}


def test_a_run_disappears_when_the_analysts_agency_withdraws(scene, analysts_run, analyst, officer):
    participation = scene.operation.participations.get(agency=officer.agency)
    operation_services.participation_respond(
        actor=officer,
        participation=participation,
        response=operation_services.InvitationResponse.WITHDRAW,
    )

    real = gql(analyst, RUN_ONLY, {"ids": [scene.op_id]})
    fake = gql(analyst, RUN_ONLY, {"ids": [to_global_id("Operation", 987654)]})

    assert gql(analyst, RUNS) == {"data": {"analysisRuns": []}}
    assert gql(analyst, RUN_BY_ID, {"id": analysts_run["id"]}) == {"data": {"analysisRun": None}}
    assert client_for(analyst).get(path_of(analysts_run["export_gexf_full"])).status_code == 404
    assert real == fake
    assert real["data"]["runNetworkAnalysis"]["errors"][0]["code"] == "NOT_FOUND"


# --- an operation the analyst does not analyse ------------------------------------------------


@pytest.fixture
def unanalysed(coordinator, officer, ng_officer, analyst):
    """OTHER-OP: the analyst's agency (CR customs) takes part; the analyst is not named."""
    from network_analysis import synthetic

    op = make_operation(coordinator, code="OTHER-OP")
    accept(op, coordinator, officer)
    accept(op, coordinator, ng_officer)
    synthetic.plant(op, hits=12, cells=2, per_cell=3, duplicates=4, seed=4)
    return op


def test_an_analyst_sees_nothing_of_an_operation_they_do_not_analyse(
    unanalysed, analyst, coordinator
):
    op_id = to_global_id("Operation", unanalysed.pk)
    actor = Actor.objects.filter(hit__operation=unanalysed).order_by("pk").first()
    actor_id = to_global_id("Actor", actor.pk)

    run = gql(analyst, RUN_ONLY, {"ids": [op_id]})["data"]["runNetworkAnalysis"]
    suggestions = gql(analyst, SUGGESTIONS, {"ids": [op_id]})
    decisions = gql(analyst, DECISIONS, {"ids": [op_id]})
    network = gql(analyst, NETWORK, {"id": actor_id})
    scoped = gql(analyst, NETWORK, {"id": actor_id, "ids": [op_id]})
    runs = gql(analyst, "query R($op: ID) { analysisRuns(operationId: $op) { id } }", {"op": op_id})

    assert [e["code"] for e in run["errors"]] == ["PERMISSION_DENIED"]  # they may view it
    for answer in (suggestions, decisions, network, scoped, runs):
        assert answer["data"] is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["NOT_FOUND"]
    # Not vacuous: the coordinator may analyse it.
    assert gql(coordinator, NETWORK, {"id": actor_id})["data"]["entityNetwork"]["nodes"]
    assert nodes(gql(coordinator, SUGGESTIONS, {"ids": [op_id]})["data"]["entitySuggestions"])
