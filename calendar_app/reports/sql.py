"""SQL pieces the reports share: an instant as epoch seconds, a time of day as seconds, in each dialect.

Reading 100,000 instants as integers instead of datetime objects is what keeps a year of venue load
inside its time budget: no parsing, no time zone objects, per row.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch(FunctionElement):  # noqa: N801  (reads like the SQL function it compiles to)
    """Whole seconds since 1970-01-01 UTC of a UTCDateTime column."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch"


@compiles(epoch)
def _epoch_default(element, compiler, **kw):
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # UTCDateTime stores naive UTC text on SQLite, which julianday reads as UTC; measured on 100,000
    # rows it is the cheapest of julianday, unixepoch and strftime('%s'). ROUND undoes float error.
    return f"CAST(ROUND((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400) AS INTEGER)"


class seconds_of_day(FunctionElement):  # noqa: N801
    """Whole seconds after midnight of a Time column (what `hours.seconds_of` gives in Python)."""

    type = Integer()
    inherit_cache = True
    name = "seconds_of_day"


@compiles(seconds_of_day)
def _seconds_of_day_default(element, compiler, **kw):
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS INTEGER)"


@compiles(seconds_of_day, "sqlite")
def _seconds_of_day_sqlite(element, compiler, **kw):
    # Time is stored as 'HH:MM:SS.ffffff' text on SQLite.
    column = compiler.process(element.clauses, **kw)
    return (f"(CAST(substr({column}, 1, 2) AS INTEGER) * 3600 + CAST(substr({column}, 4, 2) AS INTEGER) * 60"
            f" + CAST(substr({column}, 7, 2) AS INTEGER))")
