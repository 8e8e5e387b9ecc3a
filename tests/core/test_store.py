"""The local database: migrations, pragmas, data folder."""

from __future__ import annotations

from sqlalchemy import inspect, text

from clerk_app import paths
from clerk_app.store.db import Database
from clerk_app.store.models import Base


def test_migrations_build_the_model_schema(tmp_path):
    db = Database(tmp_path / "x.sqlite3")
    insp = inspect(db.engine)
    assert set(Base.metadata.tables) <= set(insp.get_table_names())
    for name, table in Base.metadata.tables.items():
        assert {c.name for c in table.columns} == {c["name"] for c in insp.get_columns(name)}, name
    with db.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("select version_num from alembic_version")).scalar()
    db.dispose()
    Database(tmp_path / "x.sqlite3").dispose()  # a second start on a migrated file is fine


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    paths.set_data_dir(tmp_path / "flag")
    assert paths.data_dir() == tmp_path / "flag"
    paths.set_data_dir(None)
    monkeypatch.delenv(paths.ENV_DATA_DIR)
    import os

    default = paths.data_dir()
    assert default.name == "clerk-app"
    # the test fixture points XDG_DATA_HOME at a temporary home: the real one is never touched
    assert str(default).startswith(os.environ["XDG_DATA_HOME"])


def test_quick_head_check_agrees_with_alembic(tmp_path):
    from alembic.script import ScriptDirectory

    from clerk_app.store.db import alembic_config, current_revisions, script_heads

    db = Database(tmp_path / "y.sqlite3")
    script = ScriptDirectory.from_config(alembic_config(db.engine))
    assert script_heads() == set(script.get_heads())
    assert current_revisions(db.engine) == script_heads()
    db.dispose()


def test_models_and_migrations_agree_exactly(tmp_path):
    """Columns, types, indexes and constraints: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(tmp_path / "z.sqlite3")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []
