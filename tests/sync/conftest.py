"""Sync tests: a real county server (SQLite always; PostgreSQL when COUNTY_TEST_PG_URL is
set), real client databases, an in-memory keyring. No mocks of the server."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from clerk_app.credentials import Credentials
from clerk_app.services import catalog, intake, sync_admin
from clerk_app.services.common import Actor, Context, set_setting
from clerk_app.store.db import Database
from clerk_app.store.models import OutboxRecord
from county_center import service
from tests.conftest import CATALOG_DIR, Clock
from tests.core.helpers import all_received, person
from tests.sync.keyrings import MemoryKeyring
from tests.sync.server import PG_ENV, CountyServer, FaultProxy

DEMO_DIVISION = "420528101000"
BACKENDS = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request):
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} not set: PostgreSQL run skipped (.ci/run sets it)")
    return request.param


def set_up_county(s) -> None:  # noqa: ANN001
    """The demo service point and catalog, in a county database session."""
    service.add_service_point(s, DEMO_DIVISION)
    service.import_catalog_files(s, CATALOG_DIR / "township-items.csv",
                                 CATALOG_DIR / "township-materials.csv")


def start_county(backend: str, tmp_path, certfile: str | None = None,
                 keyfile: str | None = None, **config) -> CountyServer:
    from county_center.api import ServerConfig

    server = CountyServer(backend, tmp_path, ServerConfig(test_hooks=True, **config),
                          certfile=certfile, keyfile=keyfile).start()
    with server.admin() as s:
        set_up_county(s)
    return server


@pytest.fixture
def county(backend, tmp_path):
    server = start_county(backend, tmp_path)
    yield server
    server.close()


@pytest.fixture
def proxy(county):
    p = FaultProxy(county.port)
    yield p
    p.close()


_ids = itertools.count(1)


@dataclass
class Device:
    """A counter computer: its own database, keyring and clerk."""

    ctx: Context
    clerk: Actor
    supervisor: Actor
    creds: Credentials
    keyring: MemoryKeyring
    device_no: int
    url: str = ""
    made: list[str] = field(default_factory=list)

    def engine(self, **kwargs):
        return sync_admin.make_engine(self.ctx, self.creds, **kwargs)

    def sync(self, **kwargs):
        return self.engine(**kwargs).run()

    def new_case(self, kind: str = "accept", item_name: str = "最低生活保障申请") -> str:
        item = next(it for it in catalog.current_items(self.ctx) if it.name == item_name)
        n = next(_ids)
        applicant = person(name="张" + "一二三四五六七八九十"[n % 10] + "华",
                           id17=f"4205281955{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}")
        lines = all_received(item)
        if kind == "notice":
            from clerk_app.domain.status import MaterialState

            lines[0].state = MaterialState.MISSING
            out = intake.issue_notice(self.ctx, self.clerk, intake.IntakeForm(item.id, applicant, lines))
        else:
            out = intake.accept(self.ctx, self.clerk, intake.IntakeForm(item.id, applicant, lines))
        self.made.append(out.case_no)
        return out.case_no

    def outbox(self) -> list[OutboxRecord]:
        with self.ctx.tx() as s:
            return list(s.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))


def make_device(tmp_path, clock: Clock, device_no: int, name: str | None = None) -> Device:
    from clerk_app.services import auth, setup

    folder = tmp_path / (name or f"device{device_no}")
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context(Database(folder / "clerk.sqlite3"), clock)
    assert setup.set_up_demo(ctx)
    with ctx.tx() as s:
        set_setting(s, "device_no", str(device_no))
    ring = MemoryKeyring()
    return Device(ctx=ctx, clerk=auth.login(ctx, "zhangli", "demo1234"),
                  supervisor=auth.login(ctx, "admin", "demo1234"), creds=Credentials(ring),
                  keyring=ring, device_no=device_no)


def enrol(device: Device, county: CountyServer, url: str | None = None) -> None:
    with county.admin() as s:
        code = service.issue_code(s, DEMO_DIVISION)
    device.url = url or county.url
    sync_admin.enrol(device.ctx, device.supervisor, device.url, code, credentials=device.creds,
                     device_name=f"device-{device.device_no}")


@pytest.fixture
def device(tmp_path, clock, county):
    d = make_device(tmp_path, clock, 1)
    enrol(d, county)
    yield d
    d.ctx.db.dispose()


@pytest.fixture
def make_enrolled(tmp_path, clock, county):
    made = []

    def make(device_no: int, name: str | None = None, url: str | None = None) -> Device:
        d = make_device(tmp_path, clock, device_no, name)
        enrol(d, county, url)
        made.append(d)
        return d

    yield make
    for d in made:
        d.ctx.db.dispose()
