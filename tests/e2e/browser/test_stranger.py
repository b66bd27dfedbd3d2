"""An agency that does not take part in an operation cannot learn that it exists: not
from the list, not by typing the operation's address, not from what the server sends."""

import time

from tests.e2e.browser.api import global_id
from tests.e2e.browser.pages import OperationsListPage, signed_in

# Every page of an operation in the app (frontend/src/core/routes.tsx).
OPERATION_PAGES = ["", "/edit", "/plan", "/participants", "/timeline", "/calendar"]
NO_SUCH_OPERATION = global_id("Operation", 999_999_999)


def _visit(page, watch, path: str, operation_id: str) -> dict:
    """Open `path` by its address: what the reader saw and what the server sent, with
    the operation's id written as <id> (so that two ids' pages compare)."""
    first_body, first_frame = len(watch.bodies), len(watch.frames_received)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    text = _settled_text(page)
    bodies = watch.bodies[first_body:]
    frames = watch.frames_received[first_frame:]
    return {
        "text": text.replace(operation_id, "<id>"),
        "bodies": sorted(body.replace(operation_id, "<id>") for body in bodies),
        "frames": sorted(frame.replace(operation_id, "<id>") for frame in frames),
    }


def _settled_text(page, interval: float = 0.3, limit: float = 10) -> str:
    """The page's text once it stops changing (the app renders the server's answer a
    moment after the network is idle, later on a busy machine)."""
    deadline = time.monotonic() + limit
    text = page.locator("body").inner_text()
    while time.monotonic() < deadline:
        page.wait_for_timeout(interval * 1000)
        again = page.locator("body").inner_text()
        if again == text:
            return text
        text = again
    return text


def test_a_strangers_browser_shows_no_trace_of_the_demo_operations(
    page, watch, stranger, demo_operations
):
    # given a coordinator of an agency that takes part in no demo operation, signed in
    signed_in(page, stranger)
    traces = [op[field] for op in demo_operations for field in ("code", "name", "description")]

    # when they read the operations list
    listing = OperationsListPage(page).open().text()

    # then no demo operation is on it
    assert not [trace for trace in traces if trace in listing]

    # when they open each page of each demo operation by its address, and the same page
    # of an operation that does not exist
    for operation in demo_operations:
        for subpage in OPERATION_PAGES:
            seen = _visit(page, watch, f"/operations/{operation['id']}{subpage}", operation["id"])
            unseen = _visit(
                page, watch, f"/operations/{NO_SUCH_OPERATION}{subpage}", NO_SUCH_OPERATION
            )

            # then each shows the same page, from the same answers of the server
            where = f"/operations/<id>{subpage} for {operation['code']}"
            assert seen["text"] == unseen["text"], where
            assert seen["bodies"] == unseen["bodies"], where
            assert seen["frames"] == unseen["frames"], where

    # and nothing the server sent the browser names a demo operation
    everything = "\n".join(watch.bodies + watch.frames_received)
    assert not [trace for trace in traces if trace in everything]
