"""Watching the SQL a piece of code sends (SQLAlchemy's before_cursor_execute event): what it reads and
writes, and how many rows each write carries. Behaviour, counted; never timed."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import event as sa_event


class Statement(NamedTuple):
    sql: str  # upper case, whitespace collapsed
    rows: int  # the rows it carries: one per parameter set of an executemany, the column arrays' length
    #            of an INSERT from unnest (PostgreSQL), else one

    def starts(self, prefix: str) -> bool:
        return self.sql.startswith(prefix.upper())


def _rows(parameters, executemany: bool) -> int:
    if executemany:
        return len(parameters)
    if isinstance(parameters, dict):
        arrays = [v for k, v in parameters.items() if k.startswith("unnest_")]  # calendar_app.db.insert_rows
        if arrays:
            return len(arrays[0])
    return 1


@contextmanager
def recorded(engine) -> Iterator[list[Statement]]:
    """The statements sent through `engine` inside the block, in order."""
    seen: list[Statement] = []

    def watch(_conn, _cursor, statement, parameters, _context, executemany):
        seen.append(Statement(" ".join(statement.split()).upper(), _rows(parameters, executemany)))

    sa_event.listen(engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", watch)
