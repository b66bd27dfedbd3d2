"""GraphiQL comes from the server's own bundle and speaks the same websocket as the app."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.chromium import PHONE
from tests.e2e.browser.pages import GraphiQLPage, SignInPage

OPERATION_CHANGED = """
subscription WatchOperation($id: ID!) {
  operationChanged(operationId: $id) {
    what
    operation { description }
  }
}"""


def test_graphiql_loads_with_no_network_beyond_the_server_and_runs_a_subscription(
    page, watch, site, coordinator, coordinator_api, demo_operations
):
    operation = next(op for op in demo_operations if op["code"] == "COLIBRI-SKY")

    # given the coordinator opens GraphiQL in a browser that reaches nothing but the
    # server, and signs in on the way
    page.goto("/graphql/")
    SignInPage(page).expect_shown().sign_in_as(coordinator)
    graphiql = GraphiQLPage(page).expect_shown()

    # then the schema came from the server: the documentation lists its root types
    documentation = graphiql.open_documentation()
    expect(documentation).to_contain_text("Subscription")

    # when they type a subscription to the operation's changes, with its variables, and
    # run it
    graphiql.write_operation(OPERATION_CHANGED)
    graphiql.write_variables({"id": operation["id"]})
    graphiql.run()

    # and the operation changes through the API (again if the first change came before
    # the server had joined the subscription to the operation's events)
    description = f"Watched from GraphiQL {uuid.uuid4().hex[:8]}"
    for attempt in range(5):
        coordinator_api.describe_operation(operation["id"], f"{description} ({attempt})")
        try:
            expect(graphiql.result).to_contain_text(description, timeout=3_000)
            break
        except AssertionError:
            continue

    # then the result pane shows the change
    expect(graphiql.result).to_contain_text(description)
    expect(graphiql.result).to_contain_text('"what": "plan"')

    # and the browser asked nothing of anyone but the server, the websocket included
    assert watch.outside() == []
    websocket = site.url.replace("http://", "ws://") + "/graphql/"
    assert watch.websockets and set(watch.websockets) == {websocket}
    assert any("/static/frontend/app/assets/graphiql-" in r for r in watch.requests)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_on_a_phone_the_result_is_under_the_editors_at_their_width(page, coordinator):
    # given GraphiQL on a phone
    page.goto("/graphql/")
    SignInPage(page).expect_shown().sign_in_as(coordinator)
    graphiql = GraphiQLPage(page).expect_shown()

    # then the result window is below the operation editor, as wide as it (beside it,
    # it was a few characters wide)
    editor = graphiql.operation_editor.bounding_box()
    result = graphiql.result.bounding_box()
    assert result["y"] >= editor["y"] + editor["height"]
    assert result["width"] >= 0.9 * editor["width"]
