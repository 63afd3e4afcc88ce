"""Core statements on a unit of work's session, without the ORM's execution path.

The transition's reads and writes are Core statements built once (a statement
object memoises its cache key, so running it again costs neither compilation nor
key generation). They run on the connection the session's transaction holds,
asked of the session once per transaction rather than per statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Executable
from sqlalchemy.orm import Session

_CONNECTION = "banso_connection"


def connection(session: Session) -> Connection:
    """The connection of the session's current transaction (beginning one if needed)."""
    conn: Connection | None = session.info.get(_CONNECTION)
    # A commit or rollback gives the connection back (closed): the next call begins anew.
    if conn is None or conn.closed:
        conn = session.info[_CONNECTION] = session.connection()
    return conn


def run(
    session: Session,
    stmt: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """``stmt`` in the session's transaction; pending ORM objects are written first,
    as the session's autoflush would."""
    session.flush()  # returns at once when nothing is pending
    return connection(session).execute(stmt, params)
