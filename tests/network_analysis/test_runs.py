"""Analysis runs: parameters, states and progress, fingerprint reuse, audit, dispatch
(inline, thread, Celery), failures, the analyse_operation command, the analysisProgress
subscription, the report and export downloads, and the query count of analysisRuns."""

import json
import threading
import uuid
from datetime import timedelta
from io import StringIO

import networkx as nx
import pytest
import stix2.serialization
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from agencies.services import api_token_create
from audit.models import AuditEvent
from config.asgi import application
from config.celery import app as celery_app
from network_analysis import analysis, resolution, selectors, services, synthetic
from network_analysis.exports import EXPORT_FORMATS, export_graph
from network_analysis.models import AnalysisRun, EntityDecision
from network_analysis.reports import REPORT_FORMATS, render_report
from operations.models import Actor
from tests.conftest import accept, make_operation

RUN = """
mutation Run($ids: [ID!]!, $parameters: AnalysisParametersInput) {
  runNetworkAnalysis(operationIds: $ids, parameters: $parameters) {
    errors { field code message }
    executed
    run { id state progress stage error hitCount fingerprint reused parameters }
  }
}
"""
RUNS = """
query Runs {
  analysisRuns { id state progress hitCount reused fingerprint operations { code } }
}
"""
PROGRESS = """subscription($run: ID!) { analysisProgress(runId: $run) { state progress stage } }"""


def op_id(operation) -> str:
    return to_global_id("Operation", operation.pk)


def run_id(run) -> str:
    return to_global_id("AnalysisRun", run.pk)


def gql_as(user, query, variables=None, status=200):
    client = Client()
    client.force_login(user)
    response = client.post(
        "/graphql/", {"query": query, "variables": variables or {}}, content_type="application/json"
    )
    assert response.status_code == status
    return response.json()


def start(user, operations, parameters=None) -> AnalysisRun:
    return services.run_create(actor=user, operations=operations, parameters=parameters)


def execute(user, operations, parameters=None) -> AnalysisRun:
    return services.run_execute(start(user, operations, parameters).pk)


def refusal(exc: ValidationError) -> list[tuple[str, str]]:
    return [(field, e.code) for field, errors in exc.error_dict.items() for e in errors]


# --- parameters ----------------------------------------------------------------------------


def test_parameters_default_when_none_given():
    assert services.clean_parameters(None) == {
        name: default for name, (_, _, _, default) in analysis.PARAMETERS.items()
    }


def test_parameters_are_coerced_to_their_type():
    cleaned = services.clean_parameters({"top": 10.0, "resolution": 2, "seed": None})

    assert cleaned["top"] == 10 and type(cleaned["top"]) is int
    assert cleaned["resolution"] == 2.0 and type(cleaned["resolution"]) is float
    assert cleaned["seed"] == analysis.PARAMETERS["seed"][3]


@pytest.mark.parametrize(
    "given",
    [
        {"depth": 3},  # unknown
        {"top": 0},  # below the range
        {"top": 501},  # above it
        {"resolution": 0.01},
        {"exact_budget": 3 * 10**9},
        {"top": 2.5},  # not a whole number
        {"top": "10"},  # not a number
        {"seed": True},  # a boolean is not a number
        {"max_shared": [3]},
    ],
)
def test_invalid_parameters_are_refused(given):
    with pytest.raises(ValidationError) as refused:
        services.clean_parameters(given)

    assert refusal(refused.value) == [("parameters", "INVALID_PARAMETER")]


def test_unknown_parameter_is_named(planted_operation, analyst):
    with pytest.raises(ValidationError) as refused:
        start(analyst, [planted_operation], {"depth": 3, "top": 5})

    assert "depth" in refused.value.messages[0]
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"top": 0}, "top must be between 1 and 500."),
        ({"resolution": 25.0}, "resolution must be between 0.05 and 20.0."),
        ({"minPivots": 5}, "min_pivots must be between 10 and 100000."),
    ],
)
def test_out_of_range_parameters_over_graphql(planted_operation, analyst, parameters, message):
    answer = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)], "parameters": parameters})

    assert answer["data"]["runNetworkAnalysis"] == {
        "errors": [{"field": "parameters", "code": "INVALID_PARAMETER", "message": message}],
        "executed": None,
        "run": None,
    }
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("parameters", [{"top": "x"}, {"top": 2.5}, {"depth": 3}])
def test_wrong_parameter_type_or_name_over_graphql_is_a_bad_request(
    planted_operation, analyst, parameters
):
    variables = {"ids": [op_id(planted_operation)], "parameters": parameters}

    answer = gql_as(analyst, RUN, variables, status=400)

    assert answer.get("data") is None
    assert len(answer["errors"]) == 1
    assert not AnalysisRun.objects.exists()


def test_no_operation_is_required(analyst, db):
    with pytest.raises(ValidationError) as refused:
        start(analyst, [])

    assert refusal(refused.value) == [("operation_ids", "REQUIRED")]


def test_at_most_twenty_operations(analyst, planted_operation):
    with pytest.raises(ValidationError) as refused:
        start(analyst, [planted_operation] * (services.MAX_OPERATIONS + 1))

    assert refusal(refused.value) == [("operation_ids", "INVALID_PARAMETER")]


def test_given_parameters_are_stored_and_used(planted, planted_operation, analyst):
    run = execute(analyst, [planted_operation], {"top": 3, "seed": 5})

    results = run.results.get(edition="full").results
    assert run.parameters["top"] == 3 and run.parameters["seed"] == 5
    assert len(results["statistics"]["top_routes"]) == 3
    assert 1 <= len(results["network"]["key_entities"]) <= 3
    assert results["methodology"]["parameters"]["seed"] == 5


# --- states, progress -----------------------------------------------------------------------


def test_a_run_goes_from_queued_to_succeeded_with_progress_100(planted, planted_operation, analyst):
    run = start(analyst, [planted_operation])
    assert (run.state, run.progress, run.hit_count) == (AnalysisRun.State.QUEUED, 0, 120)
    assert run.started_at is None and run.finished_at is None and not run.finished
    steps = []

    done = services.run_execute(run.pk, on_progress=lambda p, stage: steps.append((p, stage)))

    assert done.state == AnalysisRun.State.SUCCEEDED and done.finished
    assert (done.progress, done.stage, done.error) == (100, "done", "")
    assert done.started_at <= done.finished_at
    assert {r.edition for r in done.results.all()} == {"full", "redacted"}
    percents = [p for p, _ in steps]
    assert percents == sorted(percents) and len(percents) >= 6
    assert percents[0] > 0 and percents[-1] == 100
    assert steps[0][1] == "full edition: graph of 120 hits"


def test_a_finished_run_is_not_executed_again(planted, planted_operation, analyst):
    run = execute(analyst, [planted_operation])
    finished_at = run.finished_at

    again = services.run_execute(run.pk)

    assert again.finished_at == finished_at
    assert again.results.count() == 2


def test_an_empty_operation_is_analysed(planted_operation, analyst):
    run = execute(analyst, [planted_operation])

    results = run.results.get(edition="full").results
    assert run.state == AnalysisRun.State.SUCCEEDED
    assert results["scope"]["hits"] == 0
    assert results["network"]["key_entities"] == [] and results["network"]["communities"] == []


# --- fingerprint reuse ---------------------------------------------------------------------


def test_a_rerun_on_unchanged_data_reuses_the_results(planted, planted_operation, analyst):
    first = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)]})["data"]["runNetworkAnalysis"]
    second = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)]})["data"]["runNetworkAnalysis"]

    assert first["run"]["reused"] is False
    assert second["run"]["reused"] is True
    assert second["run"]["fingerprint"] == first["run"]["fingerprint"]
    assert len(first["run"]["fingerprint"]) == 64
    assert second["run"]["state"] == "SUCCEEDED" and second["run"]["progress"] == 100
    latest = AnalysisRun.objects.order_by("created_at").last()
    assert latest.reused_from_id == AnalysisRun.objects.order_by("created_at").first().pk
    assert latest.stage == "reused stored results"
    assert latest.results.get(edition="full").results == (
        latest.reused_from.results.get(edition="full").results
    )


def test_other_parameters_are_not_reused(planted, planted_operation, analyst):
    first = execute(analyst, [planted_operation])
    second = execute(analyst, [planted_operation], {"resolution": 2.0})

    assert second.fingerprint != first.fingerprint and second.reused_from is None


def test_a_new_hit_changes_the_fingerprint(planted, planted_operation, analyst):
    first = execute(analyst, [planted_operation])
    synthetic.plant(planted_operation, hits=1, cells=1, per_cell=3, duplicates=0, seed=99)

    second = execute(analyst, [planted_operation])

    assert second.fingerprint != first.fingerprint
    assert second.reused_from is None
    assert second.hit_count == first.hit_count + 1


def test_a_confirmed_decision_changes_the_fingerprint(planted, planted_operation, analyst):
    first = execute(analyst, [planted_operation])
    pair = selectors.entity_suggestions(analyst, [planted_operation])[0]
    services.entity_decide(
        actor=analyst,
        actor_a=pair.actor_a,
        actor_b=pair.actor_b,
        verdict=EntityDecision.Verdict.CONFIRMED,
        score=pair.suggestion.score,
    )

    second = execute(analyst, [planted_operation])

    assert second.fingerprint != first.fingerprint and second.reused_from is None
    resolution_note = second.results.get(edition="full").results["methodology"]["resolution"]
    assert resolution_note["confirmed_merges"] == 1
    redacted_first = first.results.get(edition="redacted").results
    redacted_second = second.results.get(edition="redacted").results
    assert (
        redacted_second["methodology"]["fingerprint"]
        == (redacted_first["methodology"]["fingerprint"])
    )


def test_confirming_a_pair_already_linked_by_a_phone_is_not_answered_from_the_old_run(
    planted, planted_operation, analyst
):
    first = execute(analyst, [planted_operation])
    assert first.state == AnalysisRun.State.SUCCEEDED
    entities = selectors.load_input(analyst, [planted_operation], "full").entities
    linked = sorted(pk for pk, entity in entities.items() if entity != pk)[0]
    actors = Actor.objects.in_bulk([linked, entities[linked]])
    services.entity_decide(
        actor=analyst,
        actor_a=actors[linked],
        actor_b=actors[entities[linked]],
        verdict=EntityDecision.Verdict.CONFIRMED,
        score=1.0,
    )

    second = execute(analyst, [planted_operation])

    assert second.reused_from is None
    resolution_note = second.results.get(edition="full").results["methodology"]["resolution"]
    assert resolution_note["confirmed_merges"] == 1


# --- audit -------------------------------------------------------------------------------


def test_a_run_is_audited_per_operation(planted_operation, second_planted_operation, analyst):
    run = start(analyst, [second_planted_operation, planted_operation], {"top": 7})

    events = AuditEvent.objects.filter(action="analysis.run").order_by("operation_id")
    assert [e.operation for e in events] == [planted_operation, second_planted_operation]
    for event in events:
        assert event.actor == analyst and event.actor_agency == analyst.agency
        assert event.object_id == str(run.pk)
        assert event.after == {
            "parameters": run.parameters,
            "operations": ["PLANTED-OP", "PLANTED-OP-2"],
        }


def test_a_decision_is_audited(planted, planted_operation, analyst):
    a, b = Actor.objects.filter(hit__operation=planted_operation).order_by("pk")[:2]

    decision = services.entity_decide(
        actor=analyst, actor_a=b, actor_b=a, verdict="confirmed", score=0.9, reason=" same "
    )

    event = AuditEvent.objects.get(action="entity.confirmed")
    assert (decision.actor_a, decision.actor_b, decision.reason) == (a, b, "same")
    assert event.actor == analyst and event.operation == planted_operation
    assert event.after == {"actor_a": a.pk, "actor_b": b.pk, "verdict": "confirmed", "score": 0.9}


def test_an_actor_is_always_itself(planted, planted_operation, analyst):
    actor = Actor.objects.filter(hit__operation=planted_operation).first()

    with pytest.raises(ValidationError) as refused:
        services.entity_decide(
            actor=analyst, actor_a=actor, actor_b=actor, verdict="confirmed", score=1.0
        )

    assert refusal(refused.value) == [("actor_b_id", "SAME_ACTOR")]
    assert not AuditEvent.objects.filter(action__startswith="entity.").exists()


# --- dispatch ----------------------------------------------------------------------------


def test_small_runs_finish_in_the_request(planted, planted_operation, analyst, settings):
    settings.ANALYSIS_INLINE_MAX_HITS = 120

    payload = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)]})["data"][
        "runNetworkAnalysis"
    ]

    assert payload["executed"] == "inline"
    assert payload["run"]["state"] == "SUCCEEDED" and payload["run"]["hitCount"] == 120


@pytest.mark.django_db(transaction=True)
def test_large_runs_without_a_broker_go_to_a_thread(
    planted, planted_operation, analyst, settings, monkeypatch
):
    """The test holds the thread back until the request has answered and then waits for
    it, instead of polling the run: the in-memory SQLite of the tests (shared cache) fails
    a write at once ("database table is locked") while another connection reads."""
    settings.ANALYSIS_INLINE_MAX_HITS = 0
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    go, done, threads = threading.Event(), threading.Event(), []
    real = services._execute_in_thread

    def held_back(run_pk):
        threads.append(threading.current_thread())
        try:
            assert go.wait(timeout=30)
            real(run_pk)
        finally:
            done.set()

    monkeypatch.setattr(services, "_execute_in_thread", held_back)

    payload = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)]})["data"][
        "runNetworkAnalysis"
    ]
    go.set()

    assert payload["executed"] == "thread"
    assert payload["run"]["state"] == "QUEUED" and payload["run"]["hitCount"] == 120
    assert done.wait(timeout=30)
    assert threads[0] is not threading.main_thread() and threads[0].daemon
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisRun.State.SUCCEEDED
    assert run.progress == 100 and run.results.count() == 2


def test_large_runs_go_to_celery_when_configured(
    planted, planted_operation, analyst, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # Patch the loaded Celery configuration first: loaded after the settings change, it
    # would keep the eager flag for the rest of the session.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.ANALYSIS_INLINE_MAX_HITS = 0
    settings.CELERY_TASK_ALWAYS_EAGER = True
    run = start(analyst, [planted_operation])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        executed = services.run_dispatch(run)
        assert AnalysisRun.objects.get(pk=run.pk).state == AnalysisRun.State.QUEUED

    assert executed == "celery"
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.state == AnalysisRun.State.SUCCEEDED and run.progress == 100


def test_a_failing_analysis_is_recorded_and_does_not_raise(
    planted, planted_operation, analyst, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("graph exploded")

    monkeypatch.setattr(services, "analyse", broken)

    payload = gql_as(analyst, RUN, {"ids": [op_id(planted_operation)]})["data"][
        "runNetworkAnalysis"
    ]

    assert payload["errors"] == []
    assert payload["run"]["state"] == "FAILED"
    assert payload["run"]["error"] == services.FAILED  # "graph exploded" stays in the log
    run = AnalysisRun.objects.get()
    assert run.finished_at is not None and run.results.count() == 0
    assert run.fingerprint == ""
    response = download(analyst, f"/analysis/runs/{run.pk}/report.html")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "RUN_NOT_FINISHED"


def test_a_failed_run_is_not_reused(planted, planted_operation, analyst, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(services, "analyse", lambda *a, **k: 1 / 0)
        failed = execute(analyst, [planted_operation])

    again = execute(analyst, [planted_operation])

    assert failed.state == AnalysisRun.State.FAILED
    assert failed.error == services.FAILED  # not "division by zero": internals stay in the log
    assert again.state == AnalysisRun.State.SUCCEEDED and again.reused_from is None


def test_runs_left_by_a_dead_worker_are_failed_when_the_next_run_is_created(
    planted, planted_operation, analyst, settings
):
    settings.ANALYSIS_RUN_TIME_LIMIT = 3600
    long_ago = timezone.now() - timedelta(seconds=3601)
    State = AnalysisRun.State
    stuck_running, stuck_queued, busy, waiting = (
        start(analyst, [planted_operation]) for _ in "1234"
    )
    AnalysisRun.objects.filter(pk=stuck_running.pk).update(state=State.RUNNING, started_at=long_ago)
    AnalysisRun.objects.filter(pk=stuck_queued.pk).update(created_at=long_ago)
    AnalysisRun.objects.filter(pk=busy.pk).update(state=State.RUNNING, started_at=timezone.now())

    start(analyst, [planted_operation])

    states = dict(AnalysisRun.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in (stuck_running, stuck_queued, busy, waiting)] == [
        State.FAILED,
        State.FAILED,
        State.RUNNING,
        State.QUEUED,
    ]
    failed = AnalysisRun.objects.get(pk=stuck_running.pk)
    assert failed.error == services.ABANDONED and failed.finished_at is not None


def test_a_run_failed_as_abandoned_while_computing_stores_nothing(
    planted, planted_operation, analyst, monkeypatch
):
    # A slow run outlives the limit: another process fails it; its late results are dropped.
    real = services.analyse

    def slow(*args, **kwargs):
        services.runs_fail_abandoned(now=timezone.now() + timedelta(days=365))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "analyse", slow)

    run = execute(analyst, [planted_operation])

    assert run.state == AnalysisRun.State.FAILED and run.error == services.ABANDONED
    assert run.results.count() == 0 and run.fingerprint == ""


# --- the management command --------------------------------------------------------------


def test_command_runs_the_analysis_and_writes_the_reports(
    planted, planted_operation, analyst, tmp_path
):
    out = StringIO()

    call_command(
        "analyse_operation",
        "PLANTED-OP",
        "--user",
        analyst.username,
        "--top",
        "5",
        "--report",
        str(tmp_path / "reports"),
        stdout=out,
    )

    output = out.getvalue()
    run = AnalysisRun.objects.get()
    assert output.startswith(f"Run {run.pk}: 120 hits\n")
    assert "[" in output and "%" in output
    assert f"fingerprint {run.fingerprint[:16]}" in output
    assert run.parameters["top"] == 5
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert written == sorted(
        f"report-{edition}.{fmt}" for edition in ("full", "redacted") for fmt in REPORT_FORMATS
    )
    assert (tmp_path / "reports" / "report-full.pdf").read_bytes().startswith(b"%PDF")


def test_command_progress_bar_reaches_100(planted, planted_operation, analyst):
    out = StringIO()

    call_command("analyse_operation", "PLANTED-OP", "--user", analyst.username, stdout=out)

    assert "100%" in out.getvalue()


def test_command_says_when_results_are_reused(planted, planted_operation, analyst):
    call_command("analyse_operation", "PLANTED-OP", "--user", analyst.username, stdout=StringIO())
    out = StringIO()

    call_command("analyse_operation", "PLANTED-OP", "--user", analyst.username, stdout=out)

    assert "reused the results of an identical earlier run" in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["PLANTED-OP", "--user", "nobody"], "No active user nobody."),
        (
            ["PLANTED-OP", "NOPE-1", "--user", "cr.analyst"],
            "No operation NOPE-1 that cr.analyst can see.",
        ),
        (
            ["PLANTED-OP", "--user", "cr.officer"],
            "You are not allowed to do this in this operation.",
        ),
        (
            ["PLANTED-OP", "--user", "fr.officer"],
            "No operation PLANTED-OP that fr.officer can see.",
        ),
        (["PLANTED-OP", "--user", "cr.analyst", "--top", "0"], "top must be between 1 and 500."),
    ],
)
def test_command_errors(planted_operation, outsider, arguments, message):
    with pytest.raises(CommandError) as refused:
        call_command("analyse_operation", *arguments, stdout=StringIO())

    assert str(refused.value) == message
    assert not AnalysisRun.objects.exists()


def test_command_asks_which_operation_when_two_share_a_code(
    planted, planted_operation, outsider, officer, analyst
):
    # fr.officer cannot see PLANTED-OP, so may give the code to an operation of FR's;
    # the analyst's agency takes part in both.
    twin = make_operation(outsider, code="PLANTED-OP")
    accept(twin, outsider, officer)
    ours, theirs = (f"PLANTED-OP@{op.lead_agency.acronym}" for op in (planted_operation, twin))

    with pytest.raises(CommandError) as refused:
        call_command("analyse_operation", "PLANTED-OP", "--user", "cr.analyst", stdout=StringIO())
    call_command("analyse_operation", ours, "--user", "cr.analyst", stdout=StringIO())

    assert str(refused.value).startswith("cr.analyst sees more than one PLANTED-OP: give ")
    assert ours in str(refused.value) and theirs in str(refused.value)
    assert list(AnalysisRun.objects.get().operations.all()) == [planted_operation]


def test_command_reports_a_failed_run(planted, planted_operation, analyst, monkeypatch):
    monkeypatch.setattr(services, "analyse", lambda *a, **k: 1 / 0)

    with pytest.raises(CommandError) as refused:
        call_command(
            "analyse_operation", "PLANTED-OP", "--user", analyst.username, stdout=StringIO()
        )

    assert str(refused.value) == f"The run failed: {services.FAILED}"


# --- the analysisProgress subscription -------------------------------------------------------


async def connect(user):
    token = await database_sync_to_async(lambda: api_token_create(user=user)[1])()
    communicator = WebsocketCommunicator(
        application, "/graphql/", subprotocols=["graphql-transport-ws"]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    )
    assert await communicator.receive_json_from() == {"type": "connection_ack"}
    return communicator


async def subscribe(communicator, sub_id: str, run: str):
    await communicator.send_json_to(
        {
            "id": sub_id,
            "type": "subscribe",
            "payload": {"query": PROGRESS, "variables": {"run": run}},
        }
    )


@pytest.mark.django_db(transaction=True)
async def test_progress_of_a_finished_run_is_one_message_then_complete(
    planted, planted_operation, analyst
):
    run = await database_sync_to_async(execute)(analyst, [planted_operation])
    communicator = await connect(analyst)

    await subscribe(communicator, "p", run_id(run))

    assert await communicator.receive_json_from() == {
        "type": "next",
        "id": "p",
        "payload": {
            "data": {"analysisProgress": {"state": "SUCCEEDED", "progress": 100, "stage": "done"}}
        },
    }
    assert await communicator.receive_json_from() == {"type": "complete", "id": "p"}
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_progress_streams_until_the_run_succeeds(planted, planted_operation, analyst):
    run = await database_sync_to_async(start)(analyst, [planted_operation])
    communicator = await connect(analyst)
    await subscribe(communicator, "p", run_id(run))
    first = await communicator.receive_json_from()

    await database_sync_to_async(services.run_execute)(run.pk)
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "complete":
            break
        messages.append(message["payload"]["data"]["analysisProgress"])

    assert first["payload"]["data"]["analysisProgress"] == {
        "state": "QUEUED",
        "progress": 0,
        "stage": "",
    }
    assert messages[-1] == {"state": "SUCCEEDED", "progress": 100, "stage": "done"}
    progress = [m["progress"] for m in messages]
    assert progress == sorted(progress)
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_progress_of_another_users_run_is_not_found_like_a_missing_one(
    planted, planted_operation, analyst, coordinator
):
    run = await database_sync_to_async(execute)(analyst, [planted_operation])
    communicator = await connect(coordinator)

    await subscribe(communicator, "theirs", run_id(run))
    theirs = await communicator.receive_json_from()
    await subscribe(communicator, "missing", to_global_id("AnalysisRun", str(uuid.uuid4())))
    missing = await communicator.receive_json_from()
    malformed = []
    for i, garbage in enumerate(
        ["nonsense", to_global_id("AnalysisRun", "12"), to_global_id("Operation", str(run.pk))]
    ):
        await subscribe(communicator, f"bad{i}", garbage)
        malformed.append(await communicator.receive_json_from())

    assert theirs["type"] == missing["type"] == "error"
    assert theirs["payload"] == missing["payload"]
    for answer in malformed:
        assert answer["type"] == "error"
        assert answer["payload"] == missing["payload"]
    assert theirs["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


# --- downloads ---------------------------------------------------------------------------


@pytest.fixture
def finished_run(planted_operation, analyst) -> AnalysisRun:
    synthetic.plant(planted_operation, hits=12, cells=2, per_cell=3, duplicates=2, seed=3)
    return execute(analyst, [planted_operation])


def download(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path)


@pytest.mark.parametrize("edition", ["full", "redacted"])
@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_report_downloads(finished_run, analyst, fmt, edition):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/report.{fmt}?edition={edition}")

    result = finished_run.results.get(edition=edition)
    _, content_type = render_report(result.results, fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    opens = "inline" if fmt in ("html", "pdf") else "attachment"  # a browser shows these
    assert response["Content-Disposition"] == (
        f'{opens}; filename="PLANTED-OP-report-{edition}.{fmt}"'
    )
    assert response["Cache-Control"] == "private, no-store"
    if fmt == "pdf":
        assert response.content.startswith(b"%PDF")
    if fmt == "json":
        assert response.json()["edition"] == edition


@pytest.mark.parametrize("edition", ["full", "redacted"])
@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_downloads(finished_run, analyst, fmt, edition):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/export.{fmt}?edition={edition}")

    graph = services.unpacked(finished_run.results.get(edition=edition).graph)
    _, content_type, extension = export_graph(graph, fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="PLANTED-OP-graph-{edition}.{extension}"'
    )


def test_downloads_default_to_the_full_edition(finished_run, analyst):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/report.json")

    assert response.json()["edition"] == "full"


def test_urls_from_graphql_open_the_downloads(finished_run, analyst):
    answer = gql_as(
        analyst,
        """query R($id: ID!) { analysisRun(id: $id) {
            pdf: reportUrl(format: PDF, edition: REDACTED) stix: exportUrl(format: STIX)
        } }""",
        {"id": run_id(finished_run)},
    )

    urls = answer["data"]["analysisRun"]
    assert urls["pdf"] == (
        f"http://testserver/analysis/runs/{finished_run.pk}/report.pdf?edition=redacted"
    )
    assert download(analyst, urls["pdf"])["Content-Type"] == "application/pdf"
    assert download(analyst, urls["stix"]).status_code == 200


def test_an_unfinished_run_has_no_download_yet(planted, planted_operation, analyst):
    run = start(analyst, [planted_operation])

    response = download(analyst, f"/analysis/runs/{run.pk}/report.html")
    answer = gql_as(
        analyst,
        "query R($id: ID!) { analysisRun(id: $id) { state reportUrl exportUrl results } }",
        {"id": run_id(run)},
    )

    assert response.status_code == 409
    assert response.json() == {
        "errors": [{"code": "RUN_NOT_FINISHED", "message": "The run is queued."}]
    }
    assert answer["data"]["analysisRun"] == {
        "state": "QUEUED",
        "reportUrl": None,
        "exportUrl": None,
        "results": None,
    }


def test_a_bad_edition_is_refused(finished_run, analyst):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/export.gexf?edition=public")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_FORMAT"


@pytest.mark.parametrize("path", ["report.docx", "export.xlsx", "report.gexf", "export.pdf"])
def test_an_unknown_format_is_not_found(finished_run, analyst, path):
    response = download(analyst, f"/analysis/runs/{finished_run.pk}/{path}")

    assert response.status_code == 404


def test_downloads_answer_only_get(finished_run, analyst):
    client = Client()
    client.force_login(analyst)

    assert client.post(f"/analysis/runs/{finished_run.pk}/report.html").status_code == 405


def stix_bundle_graph(n: int) -> nx.Graph:
    """n hits, each with one actor holding one phone."""
    g = nx.Graph(edition="full", fingerprint="f", operations="OP")
    for i in range(n):
        g.add_node(
            f"hit:{i}",
            kind="hit",
            label=f"OP#{i}",
            operation="OP",
            sequence=i,
            marking="AMBER",
            occurred_at="2027-03-02T10:15:00+00:00",
            country="CR",
        )
        g.add_node(
            f"actor:{i}",
            kind="actor",
            label=f"Person {i}",
            actor_kind="person",
            nationality="CR",
            actors=1,
            operations="OP",
        )
        phone = f"identifier:phone:+5068888{i:04d}"
        g.add_node(phone, kind="identifier", label=phone, identifier_type="phone", nominal=True)
        g.add_edge(f"hit:{i}", f"actor:{i}", kind="involves", weight=1.0)
        g.add_edge(f"actor:{i}", phone, kind="uses", weight=1.0)
    return g


def test_stix_export_work_grows_linearly_with_the_graph(monkeypatch):
    calls = {"n": 0}
    real = stix2.serialization.find_property_index

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(stix2.serialization, "find_property_index", counting)
    work = {}
    for n in (20, 40):
        calls["n"] = 0
        content, _, _ = export_graph(stix_bundle_graph(n), "stix")
        assert len(json.loads(content)["objects"]) > 4 * n
        work[n] = calls["n"]

    assert work[40] <= 2.5 * max(work[20], 1)


def test_a_bearer_token_opens_a_download(finished_run, analyst):
    token = api_token_create(user=analyst)[1]

    response = Client().get(
        f"/analysis/runs/{finished_run.pk}/report.csv", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200


# --- query count ---------------------------------------------------------------------------


def count_queries(user, query) -> int:
    client = Client()
    client.force_login(user)
    client.get("/analysis/runs/00000000-0000-0000-0000-000000000000/report.html")  # session warm
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/graphql/", {"query": query}, content_type="application/json")
    assert response.status_code == 200 and "errors" not in response.json(), response.json()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "query",
    [
        RUNS,
        "query { analysisRuns { id createdBy { username agency { acronym } } } }",
        "query { analysisRuns { id results(edition: REDACTED) } }",
        "query { analysisRuns { id full: results redacted: results(edition: REDACTED) } }",
    ],
    ids=["scalars-and-operations", "created-by-agency", "results", "both-results"],
)
def test_analysis_runs_query_count_does_not_grow_with_the_runs(planted_operation, analyst, query):
    synthetic.plant(planted_operation, hits=10, cells=2, per_cell=3, duplicates=0, seed=1)
    execute(analyst, [planted_operation])
    one = count_queries(analyst, query)
    for _ in range(4):
        execute(analyst, [planted_operation])  # reused: quick

    five = count_queries(analyst, query)

    assert AnalysisRun.objects.count() == 5
    assert five == one


# --- resolution, as the runs read it -------------------------------------------------------


def test_suggestions_in_a_run_use_the_default_min_score(planted, planted_operation, analyst):
    pairs = selectors.entity_suggestions(analyst, [planted_operation])

    assert pairs
    assert all(p.suggestion.score >= resolution.DEFAULT_MIN_SCORE for p in pairs)
    assert all(p.actor_a.pk < p.actor_b.pk for p in pairs)
