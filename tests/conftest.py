"""Shared fixtures. Tests never touch the real home folder or keyring, and need no display."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_PACKAGED = Path(__file__).resolve().parents[1] / "clerk_app" / "resources"
# the county's catalog as exported: the shared copy when present, else the packaged copy of it
CATALOG_DIR = SHARED / "data" / "catalog"
if not CATALOG_DIR.is_dir():
    CATALOG_DIR = _PACKAGED / "catalog"
FIXED_NOW = dt.datetime(2026, 12, 3, 10, 0, 0)  # a Thursday


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point the data folder and HOME at temporary folders for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("CLERK_APP_DATA_DIR", str(home / "clerk-data"))
    from clerk_app import paths

    paths.set_data_dir(None)
    yield
    paths.set_data_dir(None)


class Clock:
    """A clock tests can move."""

    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path):
    from clerk_app.store.db import Database

    database = Database(tmp_path / "clerk.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def ctx(db, clock):
    from clerk_app.services.common import Context

    return Context(db, clock)


@pytest.fixture
def demo_ctx(ctx):
    """A database set up as the demo service point (龙舟坪镇) with its catalog and operators."""
    from clerk_app.services import setup

    assert setup.set_up_demo(ctx)
    return ctx


@pytest.fixture
def supervisor(demo_ctx):
    from clerk_app.services import auth

    return auth.login(demo_ctx, "admin", "demo1234")


@pytest.fixture
def clerk(demo_ctx):
    from clerk_app.services import auth

    return auth.login(demo_ctx, "zhangli", "demo1234")


@pytest.fixture
def keys():
    """The agents' signing keys in memory instead of the OS keyring, for one test."""
    from clerk_app.services import agents
    from tests.core.test_agents_support import MemoryKeys

    store = agents.KeyStore(MemoryKeys())
    agents.use_key_store(store)
    yield store
    agents.use_key_store(None)
