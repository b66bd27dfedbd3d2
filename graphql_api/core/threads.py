"""Where the websocket side runs its synchronous (database) work."""

import functools

from channels.db import database_sync_to_async
from django.db import connection, connections


def in_thread_pool(func):
    """``database_sync_to_async`` on the event loop's pool of threads.

    The default (``thread_sensitive=True``) runs every call of the process on one shared
    thread: one slow read (a replay, a GraphQL execution) then holds up every other
    socket's, and in a reconnection storm the disconnects waited so long behind the
    re-authentications and replays that the server killed them before they left their
    groups. Nothing run here relies on a thread of its own; each call gives its database
    connection back when it ends (to the pool, DATABASE_POOL_MAX_SIZE), as the threads
    of a pool outlive no call.

    On SQLite the calls stay on the one shared thread: SQLite writes one transaction at a
    time whatever the threads, and its in-memory database (the test suite's) refuses a
    read that meets another thread's write ("database table is locked") instead of
    waiting for it.
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    pooled = database_sync_to_async(run, thread_sensitive=False)
    shared = database_sync_to_async(run)

    @functools.wraps(func)
    async def call(*args, **kwargs):
        return await (shared if connection.vendor == "sqlite" else pooled)(*args, **kwargs)

    return call
