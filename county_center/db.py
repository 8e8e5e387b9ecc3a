"""Engines for the county center: PostgreSQL in production, SQLite for a pilot.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: two pushes at once then queue
for the write lock instead of failing half-way. On PostgreSQL, feed writers take an advisory
lock so feed ids become visible in order (a reader's cursor never skips an entry).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from county_center.models import SCHEMA_VERSION, Base, Meta

ENV_DB = "COUNTY_CENTER_DB"
DEFAULT_DB = "sqlite:///county-center.sqlite3"
FEED_LOCK_KEY = 7_204_528  # advisory lock id for feed writers (PostgreSQL)


def database_url(explicit: str | None = None) -> str:
    url = explicit or os.environ.get(ENV_DB) or DEFAULT_DB
    if "://" not in url:  # a bare path means a SQLite file
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _sqlite_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API object
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn) -> None:  # noqa: ANN001
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    return engine


def is_postgres(engine_or_session: Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "postgresql"


def create_schema(engine: Engine) -> None:
    """Create the tables (idempotent) and record the schema version."""
    Base.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        row = s.get(Meta, "schema_version")
        if row is None:
            s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
        elif int(row.value) > SCHEMA_VERSION:
            raise RuntimeError(
                f"数据库结构版本 {row.value} 比本程序（{SCHEMA_VERSION}）新，请升级县级中心程序。"
            )


def lock_feed(s: Session) -> None:
    """Serialize feed writers (PostgreSQL): ids then commit in the order they were taken."""
    if is_postgres(s):
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})


class CountyDB:
    """An engine, its schema and a session factory."""

    def __init__(self, url: str | None = None, create: bool = True, **kwargs) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url, **kwargs)
        if create:
            create_schema(self.engine)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._factory()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        s = self._factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def schema_version(self) -> int:
        with self.tx() as s:
            return int(s.scalar(select(Meta.value).where(Meta.key == "schema_version")) or 0)

    def dispose(self) -> None:
        self.engine.dispose()
