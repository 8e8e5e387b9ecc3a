"""Engine and sessions for the local SQLite database (WAL, foreign keys on)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _set_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API object
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(path: Path | str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _set_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", str(engine.url))
    config.attributes["engine"] = engine
    return config


def script_heads() -> set[str]:
    """The newest revision ids, read from the migration files without importing Alembic.

    Importing Alembic costs a tenth of a second at every start; it is only needed when the
    database is behind. A test checks that this agrees with Alembic's own view.
    """
    revisions: dict[str, object] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
        if "revision" in values:
            revisions[str(values["revision"])] = values.get("down_revision")
    parents: set[str] = set()
    for down in revisions.values():
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, (tuple, list)):
            parents.update(down)
    return set(revisions) - parents


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return {row[0] for row in conn.execute(text("select version_num from alembic_version"))}


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic runs only when the file is behind)."""
    if current_revisions(engine) == script_heads():
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


class DatabaseError(Exception):
    """The database cannot be used; ``message`` says why and what to do (Chinese)."""

    def __init__(self, path: Path, reason: str) -> None:
        from clerk_app.i18n import _

        self.path = path
        self.message = _(
            "无法使用本机数据库 {path}：{reason}\n"
            "请检查磁盘空间和文件权限；不要删除该文件（里面有本机的全部办件），必要时联系县中心技术支持。"
        ).format(path=path, reason=reason)
        super().__init__(self.message)


def _reason(exc: Exception) -> str:
    from clerk_app.i18n import _

    text = str(getattr(exc, "orig", exc)).lower()
    if "readonly" in text or "read-only" in text:
        return _("文件是只读的（没有写入权限）")
    if "unable to open" in text:
        return _("无法打开文件（目录不存在或没有权限）")
    if "not a database" in text or "malformed" in text:
        return _("文件已损坏或不是本程序的数据库")
    if "locked" in text:
        return _("文件被其他程序锁定")
    if "disk" in text and "full" in text:
        return _("磁盘已满")
    return str(getattr(exc, "orig", exc))


class Database:
    """The device's database: an engine, migrated, and a session factory.

    Opening checks that the file can be written too: a counter that can read but not save
    must find out at start-up, not when the first case is accepted.
    """

    def __init__(self, path: Path | str, migrate: bool = True) -> None:
        from sqlalchemy.exc import DBAPIError

        self.path = Path(path)
        self.engine = make_engine(self.path)
        try:
            if migrate:
                upgrade(self.engine)
                self._check_writable()
        except DBAPIError as exc:
            self.engine.dispose()
            raise DatabaseError(self.path, _reason(exc)) from exc
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def _check_writable(self) -> None:
        with self.engine.begin() as conn:  # a real write, of the same value
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")

    def session(self) -> Session:
        return self._factory()

    def dispose(self) -> None:
        self.engine.dispose()
