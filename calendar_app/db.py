"""Declarative base, a UTC datetime column type, mixins and the validation error every service raises."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, Table, func
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC that always comes back timezone-aware, on SQLite too.

    PostgreSQL keeps it as timestamptz; SQLite has no zone type, so the naive UTC value is stored
    and the zone re-attached on load. Naive datetimes are refused: they are a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TimestampMixin:
    #: When the row was created and last changed (UTC).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class ValidationError(ValueError):
    """Bad input, with a message in the user's language and the field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        return {"error": "validation_error", "message": self.message, "field": self.field}


#: Set while a request or job is going to write: SQLite then starts its transaction with BEGIN
#: IMMEDIATE, taking the write lock before the first read, so that two writers never both read a
#: free slot and then fail to upgrade their lock ("database is locked"). Reads stay BEGIN DEFERRED.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def transaction_memo(key: str) -> dict:
    """A dict that lives as long as the session's current transaction, for reads a run of writes repeats
    (a spreadsheet import asks the same thing for each of its rows): under READ COMMITTED a second read
    could see a newer commit, but reading once per transaction is as correct as reading at its start."""
    from calendar_app.extensions import db

    transaction = db.session().get_transaction()
    memo = db.session.info.get(key)
    if memo is None or memo[0] is not transaction:
        memo = db.session.info[key] = (transaction, {})
    return memo[1]


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in one statement.

    On PostgreSQL that is one INSERT ... SELECT FROM unnest(one array per column whose values vary; a value
    all rows share is sent once), the arrays sent in binary: the server parses, plans and runs a single
    statement where an executemany runs one per row (a year of weekly evenings is 52), and psycopg packs an
    array of 52 timestamps in binary some 15 times faster than it spells it out in text. The columns' own
    types still prepare each value (a naive datetime is refused, JSON serialised). Elsewhere (SQLite runs
    a statement in-process, cheaply) one executemany."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(rows) == 1:
        connection.execute(table.insert(), rows)
        return
    names = list(rows[0])
    first = rows[0]
    shared = {name for name in names
              if all(type(row[name]) is type(first[name]) and row[name] == first[name] for row in rows)}
    varying = {name for name in names if name not in shared} or {names[0]}
    quote = dialect.identifier_preparer.quote
    params: dict[str, object] = {}
    arrays: list[str] = []
    values: list[str] = []
    for i, name in enumerate(names):
        column_type = table.c[name].type
        sql_type = column_type.compile(dialect=dialect)
        prepare = column_type.dialect_impl(dialect).bind_processor(dialect) or _unchanged
        if name in varying:
            params[f"unnest_{name}"] = [prepare(row[name]) for row in rows]
            arrays.append(f"%(unnest_{name})b::{sql_type}[]")
            values.append(f"u.c{i}")
        else:
            params[f"shared_{name}"] = prepare(first[name])
            values.append(f"%(shared_{name})s::{sql_type}")
    aliases = ", ".join(f"c{i}" for i, name in enumerate(names) if name in varying)
    connection.exec_driver_sql(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)}) "
        f"SELECT {', '.join(values)} FROM unnest({', '.join(arrays)}) AS u({aliases})", params)


def _unchanged(value):
    return value
