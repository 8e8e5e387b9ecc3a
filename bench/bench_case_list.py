"""How fast the 办件 page opens with 200,000 cases on the device.

    python bench/bench_case_list.py [--cases 200000] [--runs 5] [--history] [--db PATH]

Makes a temporary database with the demo service point and N fake cases (bench/fake_cases.py;
``--history`` also writes checklists, documents, prints and events, about 4x slower), or reuses
``--db`` if it already holds cases. Then the medians of:

* the id query (``CaseList``: every matching id, newest first),
* the first page of rows (200 rows),
* opening the page: ``CaseListPage`` built and shown offscreen at 1280x800 until its first rows
  are painted (the head of the list: its first page of ids and rows, read on the worker), and
  until the whole list is in the model (every id, newest first; "共 N 件" shown),

and, for information, a few filters, a sort and a jump to the middle of the list.
Target: opening the page under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 300.0


def _median_ms(fn, runs: int) -> tuple[float, float]:
    """(median, first) of ``runs`` calls, in ms."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), times[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", action="store_true",
                        help="also write checklists, documents, prints and events")
    parser.add_argument("--db", type=Path, help="use (and keep) this database file")
    args = parser.parse_args(argv)

    from bench.fake_cases import insert_fake_cases
    from clerk_app.services import auth, cases, setup
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database
    from sqlalchemy import func, select
    from clerk_app.store.models import Case

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-cases-")
        path = Path(tmp.name) / "clerk.sqlite3"
    else:
        path = args.db
    db = Database(path)
    ctx = Context(db)
    setup.set_up_demo(ctx)
    with ctx.tx() as s:
        present = s.scalar(select(func.count(Case.id))) or 0
    if present < args.cases:
        res = insert_fake_cases(ctx, args.cases - present, history=args.history)
        what = "with checklists, documents, prints, events" if args.history else "cases and applicants only"
        print(f"generated {res.count:,} cases ({what}) in {res.seconds:.1f} s "
              f"({res.count / res.seconds:,.0f} cases/s); database {path.stat().st_size / 1e6:.0f} MB")
    with ctx.tx() as s:
        total = s.scalar(select(func.count(Case.id))) or 0
    print(f"{total:,} cases in {path}")
    actor = auth.login(ctx, "zhangli", setup.DEMO_PASSWORD)

    rows = []
    ids_ms, ids_first = _median_ms(lambda: cases.CaseList(ctx), args.runs)
    rows.append(("id query (CaseList)", ids_ms, ids_first, True))
    the_list = cases.CaseList(ctx)
    page_ms, page_first = _median_ms(lambda: the_list.rows(0, 200), args.runs)
    rows.append(("first page of rows (200)", page_ms, page_first, True))

    from clerk_app.ui.app import create_application
    from clerk_app.ui.case_list import CaseListPage
    from clerk_app.ui.qt import QtCore
    from clerk_app.ui.tasks import TaskRunner

    app = create_application([])
    runner = TaskRunner()

    def open_page() -> tuple[float, float]:
        """(first rows painted, whole list ready) in ms after the page is made and shown."""
        t0 = time.perf_counter()
        page = CaseListPage(ctx, runner, actor)
        page.resize(1280, 800)
        loop = QtCore.QEventLoop()
        page.model.page_loaded.connect(loop.quit)
        page.list_ready.connect(loop.quit)
        QtCore.QTimer.singleShot(30_000, loop.quit)
        page.show()
        loop.exec()
        page.view.viewport().repaint()  # the first rows painted
        assert page.model.is_loaded(0), "page did not load"
        first = (time.perf_counter() - t0) * 1000.0
        if page.model.rowCount() < total:
            loop.exec()  # the whole list
        assert page.model.rowCount() == total, "the whole list did not arrive"
        whole = (time.perf_counter() - t0) * 1000.0
        page.close()
        page.deleteLater()
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        return first, whole

    opened = [open_page() for _ in range(args.runs)]
    for i, label in enumerate(("open the page: first rows painted", "open the page: whole list, 共 N 件 shown")):
        times = [o[i] for o in opened]
        rows.append((label, statistics.median(times), times[0], True))
    open_ms = statistics.median(o[0] for o in opened)
    whole_ms = statistics.median(o[1] for o in opened)

    today = ctx.today()
    for label, f, sort in (
        ("filter: applicant name, 2 characters", cases.CaseFilter(text="张伟"), "created_at"),
        ("filter: item name", cases.CaseFilter(text="最低生活保障"), "created_at"),
        ("filter: item pinyin initials dbsq", cases.CaseFilter(text="dbsq"), "created_at"),
        ("filter: last four of an ID number", cases.CaseFilter(text="0012"), "created_at"),
        ("filter: status 待补正", cases.CaseFilter(statuses={"awaiting_supplement"}), "created_at"),
        ("filter: 超期", cases.CaseFilter(deadline="overdue"), "created_at"),
        ("filter: last 30 days", cases.CaseFilter(date_from=today - dt.timedelta(days=30)), "created_at"),
        ("sort: promised date", cases.CaseFilter(), "due_date"),
    ):
        ms, first = _median_ms(lambda f=f, sort=sort: cases.CaseList(ctx, f, sort, sort != "due_date"),
                               args.runs)
        rows.append((f"{label} ({len(cases.CaseList(ctx, f, sort)):,} cases)", ms, first, False))
    middle = len(the_list) // 2
    ms, first = _median_ms(lambda: the_list.rows(middle, 200), args.runs)
    rows.append(("a page in the middle (scrolling)", ms, first, False))

    width = max(len(r[0]) for r in rows)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nmedian of {args.runs} runs (first run in brackets), target {TARGET_MS:.0f} ms; "
          f"{os.cpu_count()} CPUs, load average {load:.1f}:")
    ok = True
    for label, ms, first, checked in rows:
        verdict = ""
        if checked:
            passed = ms < TARGET_MS
            ok = ok and passed
            verdict = "PASS" if passed else "FAIL"
        print(f"  {label:<{width}}  {ms:8.1f} ms  ({first:7.1f})  {verdict}")
    print(f"\nopening the case list with {total:,} cases: first rows {open_ms:.0f} ms, whole list "
          f"{whole_ms:.0f} ms (target < {TARGET_MS:.0f} ms) -> {'PASS' if ok else 'FAIL'}")

    runner.shutdown()
    del app
    db.dispose()
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
