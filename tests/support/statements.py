"""The SQL statements sent from every thread while a block runs (Django's
CaptureQueriesContext sees one thread's connection only; the websocket side reads on a
pool of threads: graphql_api.core.threads)."""

import contextlib
import threading
from unittest import mock

from django.db.backends.utils import CursorWrapper


@contextlib.contextmanager
def statements_of_every_thread():
    """Yield a list that fills with (thread ident, SQL) of each statement sent while the
    block runs."""
    sent: list[tuple[int, str]] = []
    lock = threading.Lock()
    original = CursorWrapper._execute_with_wrappers

    def recorded(self, sql, params, many, executor):
        with lock:
            sent.append((threading.get_ident(), sql))
        return original(self, sql, params, many, executor)

    with mock.patch.object(CursorWrapper, "_execute_with_wrappers", recorded):
        yield sent
