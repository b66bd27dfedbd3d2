"""What a browser did that a test did not expect.

A :class:`BrowserWatch` follows one browser context: console errors, uncaught exceptions,
requests that failed, HTTP errors, and any request or websocket to a host other than the
server (which it also refuses, as a machine without network access would). The
``watch`` fixture fails the test with the list of whatever it saw, unless the test
allowed it (:meth:`BrowserWatch.allow`).

A request the browser itself abandoned (``net::ERR_ABORTED``: the page navigated away,
the app cancelled a query it no longer needs, or stopped at the redirect of a sign-in
posted with ``redirect: "manual"``) is no failure; any other network failure is.

It also keeps what the server sent that a person could learn from: the bodies of the
answers that are not the bundle's files, and every websocket frame received.
"""

import re
from urllib.parse import urlsplit


class BrowserWatch:
    def __init__(self, context, origin: str):
        self.context = context
        self.origin = origin.rstrip("/")
        self.requests: list[str] = []  # every HTTP request, "METHOD url", in order
        self.websockets: list[str] = []  # every websocket's URL
        self.frames_received: list[str] = []  # every websocket frame received
        self.bodies: list[str] = []  # the bodies of answers other than static files
        self.problems: list[str] = []
        self._allowed: list[re.Pattern] = []
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        context.on("requestfinished", self._on_request_finished)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.problems.append(f"uncaught: {error.error}"))
        context.on("page", lambda page: page.on("websocket", self._on_websocket))
        # No network beyond the server: anything else is refused (and reported).
        context.route(re.compile(rf"^(?!{re.escape(self.origin)}/)"), self._refuse)

    def allow(self, pattern: str) -> None:
        """Expect problems matching `pattern` (a regular expression) in this test."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self._allowed)]

    def outside(self) -> list[str]:
        """Requests and websockets to anywhere but the server."""
        urls = [r.split(" ", 1)[1] for r in self.requests] + self.websockets
        return [url for url in urls if not self._is_local(url)]

    def _is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        server = urlsplit(self.origin)
        return parts.hostname == server.hostname and parts.port == server.port

    def _refuse(self, route) -> None:
        route.abort("internetdisconnected")

    def _on_websocket(self, websocket) -> None:
        self.websockets.append(websocket.url)
        if not self._is_local(websocket.url):
            self.problems.append(f"websocket to another host: {websocket.url}")
        websocket.on("framereceived", lambda payload: self.frames_received.append(str(payload)))

    def _on_request(self, request) -> None:
        self.requests.append(f"{request.method} {request.url}")
        if not self._is_local(request.url):
            self.problems.append(f"request to another host: {request.method} {request.url}")

    def _on_request_failed(self, request) -> None:
        if not self._is_local(request.url) or request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed ({request.failure}): {_short(request)}")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {_short(response.request)}")

    def _on_request_finished(self, request) -> None:
        response = request.response()
        if response is None:
            return
        if "/static/" not in response.url and not 300 <= response.status < 400:
            # Read now: the body goes with the page that asked for it.
            self.bodies.append(response.text())

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")


def _short(request, size: int = 160) -> str:
    """A request as a line: method, path, and the GraphQL operation's name if any."""
    parts = urlsplit(request.url)
    name = re.search(r"operationName=(\w+)", parts.query or "") or re.search(
        r'"operationName":\s*"(\w+)"', request.post_data or ""
    )
    text = f"{request.method} {parts.path}" + (f" ({name.group(1)})" if name else "")
    return text[:size]
