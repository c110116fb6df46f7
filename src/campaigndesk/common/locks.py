"""Transaction-level advisory locks (PostgreSQL): how writers of one campaign take turns.

SQLite needs none: its write transactions begin IMMEDIATE (settings), one at a time, so
there these calls do nothing."""

from django.db import OperationalError, connection

# PostgreSQL's SQLSTATE for a lock not had within lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


class LockBusy(Exception):
    """The lock was not had within the time allowed."""


def advisory_xact_lock(
    namespace: int, key: int, *, shared: bool = False, wait_seconds: float | None = None
) -> None:
    """Hold the advisory lock (``namespace``, ``key``) until the transaction ends, shared
    or exclusive. With ``wait_seconds``, raise LockBusy when it is not had by then (the
    transaction is then aborted: call inside a block that rolls back)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        if wait_seconds is None:
            cursor.execute(f"SELECT {function}(%s, %s)", [namespace, key])
            return
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{round(wait_seconds * 1000)}ms"]
        )
        try:
            cursor.execute(f"SELECT {function}(%s, %s)", [namespace, key])
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise LockBusy() from error
            raise
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
