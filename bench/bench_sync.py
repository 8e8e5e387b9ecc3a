"""Sync benchmarks against a real county center (its own process, on loopback).

    python bench/bench_sync.py [--n 10000] [--repeat 3] [--db URL]

* push: N queued cases from a client database to the county; target < 10 s; the client's
  memory (traced peak) for N against N/5 records shows it stays flat;
* pull: N status changes down to the client; target < 5 s;
* ingest: the server's own ingest (``service.push``: idempotent, ordered, per-record answers)
  against a plain bulk insert of the same rows into its database, as a ratio.

Medians over ``--repeat`` runs. ``--db`` picks the county database (default: a SQLite file;
``postgresql+psycopg://...`` for PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from clerk_app.credentials import Credentials  # noqa: E402
from clerk_app.domain.case_numbers import make_case_no  # noqa: E402
from clerk_app.services import setup, sync_admin  # noqa: E402
from clerk_app.services.common import Context, set_setting  # noqa: E402
from clerk_app.store.db import Database  # noqa: E402
from clerk_app.store.models import OutboxRecord, ServiceItem  # noqa: E402
from county_center import service  # noqa: E402
from county_center.db import CountyDB  # noqa: E402
from county_center.models import Case as CCase  # noqa: E402
from county_center.models import CaseChange, Device  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DIVISION = "420528101000"


class MemoryKeyring:
    def __init__(self) -> None:
        self.store: dict = {}

    def get_password(self, s, u):  # noqa: ANN001, ANN201
        return self.store.get((s, u))

    def set_password(self, s, u, p) -> None:  # noqa: ANN001
        self.store[(s, u)] = p

    def delete_password(self, s, u) -> None:  # noqa: ANN001
        self.store.pop((s, u), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "county_center.cli", "--db", db_url, "serve",
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("county-center did not start")


def payload(case_no: str, item: ServiceItem, i: int) -> dict:
    return {"case_no": case_no, "status": "accepted", "item_code": item.code,
            "item_name": item.name, "item_version": item.version_id,
            "applicant": {"name": f"申请人{i}", "id_type": "resident_id",
                          "id_number": f"42052819550312{i % 10000:04d}", "phone": "13907170001"},
            "due_date": "2026-12-17", "due_estimated": False, "service_point": DIVISION,
            "channel": "counter", "updated_at": "2026-12-03T10:00:00"}


def queue_cases(ctx: Context, n: int, device_no: int, first_day: dt.date) -> list[str]:
    """N outbox records (one 'accept' per case), written with one Core insert."""
    with ctx.tx() as s:
        item = s.scalar(select(ServiceItem).where(ServiceItem.current).limit(1))
        rows, nos = [], []
        now = dt.datetime(2026, 12, 3, 10)
        for i in range(n):
            day = first_day + dt.timedelta(days=i // 9000)
            no = make_case_no(DIVISION, device_no, day, i % 9000 + 1)
            nos.append(no)
            rows.append({"record_id": str(uuid.uuid4()), "created_at": now, "entity": "case",
                         "entity_key": no, "op": "accept", "payload": payload(no, item, i),
                         "state": "pending", "entity_seq": 1, "attempts": 0})
        s.execute(insert(OutboxRecord), rows)
    return nos


def make_client(folder: Path, device_no: int) -> Context:
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context(Database(folder / "clerk.sqlite3"))
    setup.set_up_demo(ctx)
    with ctx.tx() as s:
        set_setting(s, "device_no", str(device_no))
        from clerk_app.settings import SYNC_BATCH_SIZE

        SYNC_BATCH_SIZE.set(s, 500)
    return ctx


def bench_push_pull(args: argparse.Namespace, work: Path) -> None:
    db_url = args.db or f"sqlite:///{work / 'county.sqlite3'}"
    county = CountyDB(db_url)
    with county.tx() as s:
        service.add_service_point(s, DIVISION)
        items = ROOT / "clerk_app" / "resources" / "catalog"
        service.import_catalog_files(s, items / "township-items.csv", items / "township-materials.csv")
    port = free_port()
    server = start_server(db_url, port)
    try:
        push_times, pull_times, peaks = [], [], {}
        for rep in range(args.repeat):
            for n in ([args.n // 5, args.n, -args.n] if rep == 0 else [args.n]):
                if n < 0:  # the big run again, traced, for the memory figure
                    n = args.n
                    tracing = True
                else:
                    tracing = False
                device_no = 10 + len(push_times) + len(peaks)
                ctx = make_client(work / f"client{device_no}", device_no)
                creds = Credentials(MemoryKeyring())
                with county.tx() as s:
                    code = service.issue_code(s, DIVISION)
                sync_admin.enrol(ctx, None, f"http://127.0.0.1:{port}", code, credentials=creds,
                                 device_name="bench")
                nos = queue_cases(ctx, n, device_no, dt.date(2026, 1, 1) + dt.timedelta(days=rep * 3))
                engine = sync_admin.make_engine(ctx, creds)
                if n != args.n or tracing:  # memory: traced on runs of their own (tracing is slow)
                    tracemalloc.start()
                t0 = time.perf_counter()
                report = engine.run(pull=False)
                elapsed = time.perf_counter() - t0
                peak = 0
                if tracemalloc.is_tracing():
                    _cur, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                assert report.ok and report.applied == n, (report.error, report.applied)
                if tracing or n != args.n:
                    peaks[n] = peak
                    ctx.db.dispose()
                    continue
                push_times.append(elapsed)
                # pull: the county decides every one of these cases
                with county.tx() as s:
                    service.set_case_statuses(s, [(no, "in_review", f"正式-{i}", None)
                                                  for i, no in enumerate(nos)])
                t0 = time.perf_counter()
                report = engine.run(push=False)
                pull_times.append(time.perf_counter() - t0)
                assert report.ok and report.pulled >= n, (report.error, report.pulled)
                ctx.db.dispose()
        push = statistics.median(push_times)
        pull = statistics.median(pull_times)
        small, big = peaks[args.n // 5], peaks[args.n]
        print(f"push {args.n} cases (HTTP, loopback, {db_url.split(':')[0]}): median {push:.2f} s "
              f"({args.n / push:.0f} records/s)  target < 10 s  {'OK' if push < 10 else 'SLOW'}")
        print(f"  client traced memory peak: {small / 1e6:.1f} MB for {args.n // 5}, "
              f"{big / 1e6:.1f} MB for {args.n} (ratio {big / small:.2f}: flat if near 1)")
        print(f"pull {args.n} status changes: median {pull:.2f} s  target < 5 s  "
              f"{'OK' if pull < 5 else 'SLOW'}")
    finally:
        server.terminate()
        server.wait(10)
        county.dispose()


def bench_ingest(args: argparse.Namespace, work: Path) -> None:
    """service.push (the guarantees) against a plain bulk insert of the same rows."""
    guarded, plain = [], []
    for rep in range(args.repeat):
        url = args.db or f"sqlite:///{work / f'ingest{rep}.sqlite3'}"
        if args.db:
            _reset(url)
        db = CountyDB(url)
        with db.tx() as s:
            sp = service.add_service_point(s, DIVISION)
            code = service.issue_code(s, DIVISION, device_no=1)
            enrolment = service.enrol(s, code, DIVISION, 1)
            sp_id = sp.id
        now = dt.datetime(2026, 12, 3, 10)
        records = []
        for i in range(args.n):
            no = make_case_no(DIVISION, 1, dt.date(2026, 3, 1) + dt.timedelta(days=i // 9000),
                              i % 9000 + 1)
            records.append({"record_id": str(uuid.uuid4()), "entity": "case", "key": no, "seq": 1,
                            "op": "accept", "created_at": now.isoformat(),
                            "payload": {**payload(no, _FakeItem, i)}})
        t0 = time.perf_counter()
        for i in range(0, len(records), 500):
            service.push(db, enrolment.device_id, records[i : i + 500])
        guarded.append(time.perf_counter() - t0)
        with db.tx() as s:
            assert len(s.scalars(select(CCase.id)).all()) == args.n
            s.query(CaseChange).delete()
            s.query(CCase).delete()
        t0 = time.perf_counter()
        with db.tx() as s:
            for i in range(0, len(records), 500):
                chunk = records[i : i + 500]
                ids = s.execute(insert(CCase).returning(CCase.id), [
                    {"case_no": r["key"], "service_point_id": sp_id, "device_id": enrolment.device_id,
                     "item_code": r["payload"]["item_code"], "item_name": r["payload"]["item_name"],
                     "catalog_note": "", "applicant_name": r["payload"]["applicant"]["name"],
                     "status": "accepted", "snapshot": r["payload"], "last_seq": 1,
                     "change_count": 1, "created_at": now, "updated_at": now, "county_version": 0}
                    for r in chunk]).scalars().all()
                s.execute(insert(CaseChange), [
                    {"record_id": r["record_id"], "case_id": cid, "device_id": enrolment.device_id,
                     "seq": 1, "op": "accept", "payload": r["payload"],
                     "client_created_at": r["created_at"], "applied_at": now, "via": "http",
                     "result": {"case_no": r["key"]}} for r, cid in zip(chunk, ids)])
        plain.append(time.perf_counter() - t0)
        with db.tx() as s:
            assert s.scalar(select(Device.id)) is not None
        db.dispose()
    g, p = statistics.median(guarded), statistics.median(plain)
    print(f"ingest {args.n} records in the server: median {g:.2f} s ({args.n / g:.0f}/s); "
          f"plain bulk insert of the same rows: {p:.2f} s ({args.n / p:.0f}/s); "
          f"cost of the guarantees: x{g / p:.1f}")


class _FakeItem:
    code = "0600001000-420528101000-000-11420528000000001E-1-00"
    name = "最低生活保障申请"
    version_id = 1


def _reset(url: str) -> None:
    from county_center.models import Base
    from sqlalchemy import create_engine

    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--db", help="county database URL (default: SQLite in a temporary folder)")
    args = p.parse_args()
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        if args.db:
            _reset(args.db)
        bench_push_pull(args, work)
        bench_ingest(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
