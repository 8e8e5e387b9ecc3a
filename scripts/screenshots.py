"""Regenerate the screenshots and printed pages in docs/ from the real program.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs]

Builds a demo service point in a temporary data folder (with a few hundred realistic cases
from bench/fake_cases.py, a few cases taken in through the services, an agent's laptop), opens
the real windows offscreen, drives them into the states the guide describes, and saves each
with ``QWidget.grab()``. The printed documents are rendered by the program's own PDF code and
turned into PNGs with ``pdftoppm`` (poppler-utils). Nothing outside the temporary folder and
``--out`` is touched; the clock is fixed, so a rerun gives the same pictures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# a fixed working day: far enough from the end of the holiday data that no calendar banner
# shows, and the deadlines of the fake cases are the same on every run
NOW = dt.datetime(2026, 10, 29, 10, 12, 0)  # a Thursday
WINDOW_SIZE = (1280, 800)
AGENT_SIZE = (1280, 720)
WIZARD_SIZE = (900, 640)
DPI = "80"  # A4 → 662 × 936 px, 80 mm → 252 px wide


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, now: dt.datetime) -> None:
        self.now = now


def _memory_keyring():
    """A keyring that lives in this process: the agent's signing key never reaches the OS."""
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):  # noqa: ANN001, ANN201
            return self.values.get((service, username))

        def set_password(self, service, username, password):  # noqa: ANN001, ANN201
            self.values[(service, username)] = password

        def delete_password(self, service, username):  # noqa: ANN001, ANN201
            self.values.pop((service, username), None)

    return MemoryKeyring()


# --------------------------------------------------------------------------- Qt helpers


def pump(ms: int = 60) -> None:
    from clerk_app.ui.qt import QtCore

    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def settle(runner, ms: int = 120, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Let timers fire and background work finish, then paint."""
    deadline = time.monotonic() + timeout
    pump(ms)
    while not runner.idle:
        if time.monotonic() > deadline:
            raise SystemExit("background work did not finish")
        pump(20)
    pump(ms)


def type_text(widget, text: str) -> None:  # noqa: ANN001
    """What an input method does when the clerk picks the characters: one commit string."""
    from clerk_app.ui.qt import QtGui, QtWidgets

    widget.setFocus()
    event = QtGui.QInputMethodEvent("", [])
    event.setCommitString(text)
    QtWidgets.QApplication.sendEvent(widget, event)


def press(widget, key, text: str = "") -> None:  # noqa: ANN001
    from clerk_app.ui.qt import QtCore, QtGui, QtWidgets, Qt

    for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
        QtWidgets.QApplication.sendEvent(widget, QtGui.QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def save(widget, path: Path) -> None:  # noqa: ANN001
    image = widget.grab().toImage()
    if not image.save(str(path), "PNG", 0):  # 0: smallest file
        raise SystemExit(f"could not write {path}")
    print(f"  {path}  {image.width()}×{image.height()}  {path.stat().st_size // 1024} KB")


def render_pages(pdf: bytes, target: Path, work: Path) -> None:
    """The first page of ``pdf`` as a PNG at the resolution of the docs."""
    source = work / (target.stem + ".pdf")
    source.write_bytes(pdf)
    stem = work / target.stem
    subprocess.run(["pdftoppm", "-r", DPI, "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(source), str(stem)], check=True)
    shutil.copyfile(stem.with_suffix(".png"), target)
    print(f"  {target}  {target.stat().st_size // 1024} KB")


# --------------------------------------------------------------------------- the data


def id_number(first17: str) -> str:
    from clerk_app.domain import ids

    return first17 + ids.iso7064_mod11_2(first17)


def village_code(name: str) -> str:
    from clerk_app.domain import divisions
    from clerk_app.services.setup import DEMO_DIVISION

    return next(v.code for v in divisions.villages(DEMO_DIVISION[:9]) if v.name == name)


def item(ctx, name: str):  # noqa: ANN001, ANN201
    from clerk_app.services import catalog

    return next(it for it in catalog.current_items(ctx) if it.name == name)


def lines_for(it, missing=(), wrong=None, applies=()):  # noqa: ANN001, ANN201
    """The checklist of item ``it``: everything received, except what is ``missing`` or
    ``wrong`` ({name: why}); conditional materials apply only when named in ``applies``."""
    from clerk_app.domain.status import MaterialState
    from clerk_app.services import intake

    wrong = wrong or {}
    lines = intake.checklist_for(it)
    for ln in lines:
        if not ln.required and ln.name not in applies:
            ln.condition_applies = False
            ln.state = MaterialState.NOT_APPLICABLE
            continue
        if not ln.required:
            ln.condition_applies = True
        if ln.name in missing:
            ln.state = MaterialState.MISSING
        elif ln.name in wrong:
            ln.state = MaterialState.WRONG
            ln.problem = wrong[ln.name]
        else:
            ln.state = ln.expected_state()
            ln.copies_received = ln.copies_required
    return lines


def build_township(folder: Path, clock: Clock):  # noqa: ANN201
    """The demo township with months of cases; returns (ctx, supervisor, clerk, docs)."""
    from bench.fake_cases import insert_fake_cases
    from clerk_app.services import auth, intake, setup
    from clerk_app.services.common import Context, set_setting
    from clerk_app.store.db import Database

    ctx = Context(Database(folder / "clerk.sqlite3"), clock)
    clock.set(NOW - dt.timedelta(days=150))  # the catalog was imported in spring
    setup.set_up_demo(ctx)
    with ctx.tx() as s:
        set_setting(s, "device_no", "3")  # the demo picks one at random
    clock.set(NOW)
    insert_fake_cases(ctx, 600, days=120, overdue_share=0.015, awaiting_share=0.06)
    supervisor = auth.login(ctx, "admin", setup.DEMO_PASSWORD)
    clerk = auth.login(ctx, "zhangli", setup.DEMO_PASSWORD)
    other = auth.login(ctx, "liqiang", setup.DEMO_PASSWORD)
    docs: dict[str, int] = {}

    # a one-time notice: the household register missing, the authorisation unsigned
    dibao = item(ctx, "最低生活保障申请")
    applicant = intake.ApplicantInput(
        name="覃桂英", id_number=id_number("42052819630917042"), phone="13972056318",
        address="长阳土家族自治县龙舟坪镇白氏坪社区4组17号", village_code=village_code("白氏坪社区居委会"))
    clock.set(dt.datetime(2026, 10, 14, 9, 14))
    first = intake.issue_notice(ctx, clerk, intake.IntakeForm(
        dibao.id, applicant,
        lines_for(dibao, missing=("户口簿",), wrong={"家庭经济状况核对授权书": "缺少一位家庭成员签字"},
                  applies=("残疾人证",))))
    docs["notice"] = first.document_id
    # she comes back with both: accepted, with a receipt; the deadline is close by now
    clock.set(dt.datetime(2026, 10, 16, 15, 41))
    lines = lines_for(dibao, applies=("残疾人证",))
    done = intake.supplement(ctx, other, first.case_id, lines, "accept")
    docs["detail_case"] = done.case_id

    # a receipt for the 80 mm printer
    relief = item(ctx, "临时救助申请")
    clock.set(NOW - dt.timedelta(minutes=25))
    receipt = intake.accept(ctx, clerk, intake.IntakeForm(relief.id, intake.ApplicantInput(
        name="向德明", id_number=id_number("42052819760304031"), phone="15826741105",
        address="长阳土家族自治县龙舟坪镇郑家榜村2组8号", village_code=village_code("郑家榜村委会")),
        lines_for(relief)))
    docs["receipt"] = receipt.document_id
    clock.set(NOW)
    return ctx, supervisor, clerk, docs


def build_laptop(folder: Path, clock: Clock, township, supervisor):  # noqa: ANN001, ANN201
    """An agent of 湖口社区 with a week of commissions on her laptop; returns (ctx, agent, sheet id)."""
    from clerk_app.domain.agents import CommissionState
    from clerk_app.domain.status import MaterialState
    from clerk_app.services import agents, auth, commissions, handover, intake
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database

    keys = agents.KeyStore(_memory_keyring())
    agents.use_key_store(keys)
    hukou = village_code("湖口社区居委会")
    password = "daiban2026"
    clock.set(NOW - dt.timedelta(days=9))
    agent = agents.register_agent(township, supervisor, agents.AgentInput(
        name="李秀英", id_number=id_number("42052819740622026"), phone="13907170002",
        villages=[hukou], username="lixiuying", password=password))
    prov = agents.export_provisioning(township, supervisor, agent.id)
    laptop = Context(Database(folder / "laptop.sqlite3"), clock)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", password)

    def proxy_item(name: str):  # noqa: ANN202
        return next(it for it in commissions.proxy_items(laptop) if it.name == name)

    def collected(c):  # noqa: ANN001, ANN202
        lines = commissions.lines_of(c)
        for ln in lines:
            if ln.required:
                ln.state = ln.expected_state()
                ln.copies_received = ln.copies_required
            else:
                ln.condition_applies = False
                ln.state = MaterialState.NOT_APPLICABLE
        return lines

    def commission(name: str, first17: str, item_name: str, place: str = "群众家中"):  # noqa: ANN202
        principal = intake.ApplicantInput(
            name=name, id_number=id_number(first17), phone="139" + first17[-8:],
            address="长阳土家族自治县龙舟坪镇湖口社区" + first17[-2:] + "号", village_code=hukou)
        return commissions.create(laptop, me, commissions.CommissionInput(
            proxy_item(item_name).id, principal, place=place))

    made = []
    for name, first17, item_name in (
            ("田光荣", "42052819450812013", "最低生活保障申请"),
            ("邓翠兰", "42052819520203022", "最低生活保障申请"),
            ("覃世华", "42052819410715031", "80周岁以上老年人高龄津贴申领")):
        c = commission(name, first17, item_name)
        commissions.collect(laptop, me, c.id, collected(c), "群众家中")
        made.append(c.id)
    clock.set(NOW - dt.timedelta(days=6))
    [sheet] = handover.create_sheets(laptop, me, made[:2])
    handover.mark_delivered(laptop, me, sheet.id)
    commissions.record_outcome(laptop, me, made[0], CommissionState.COMPLETED,
                               result_text="准予享受最低生活保障")
    clock.set(NOW - dt.timedelta(days=2))
    c = commission("向玉梅", "42052819580430047", "老年人优待证申领", place="村便民服务室")
    commissions.collect(laptop, me, c.id, collected(c), "村便民服务室")
    clock.set(NOW - dt.timedelta(hours=1))
    commission("覃𠮷兰", "42052819400101006", "80周岁以上老年人高龄津贴申领", place="村便民服务室")
    clock.set(NOW)
    return laptop, me, sheet.id


# --------------------------------------------------------------------------- the screens


def intake_screens(ctx, runner, clerk, out: Path) -> None:  # noqa: ANN001
    from clerk_app.domain.status import MaterialState
    from clerk_app.ui.case_list import COL_DUE, OPEN_FILTER
    from clerk_app.ui.intake_page import STEP_CHECKLIST
    from clerk_app.ui.main_window import MainWindow
    from clerk_app.ui.qt import Qt

    window = MainWindow(ctx, runner, clerk)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(runner, 300)
    page = window.intake_page

    # 受理, step 1: the pinyin initials of 最低生活保障申请 typed, the item shown
    page.search_edit.setFocus()
    type_text(page.search_edit, "dbsq")
    settle(runner, 200)
    save(window, out / "screenshot-main.png")

    press(page.search_edit, Qt.Key.Key_Return)
    settle(runner)
    form = page.applicant_form
    type_text(form.id_number_edit, id_number("42052819680521064"))
    press(form.id_number_edit, Qt.Key.Key_Return)
    settle(runner)
    type_text(form.name_edit, "阿依古丽·买买提")
    type_text(form.phone_edit, "13972015568")
    index = form.village_combo.findText("枫竹园社区居委会")
    form.village_combo.setCurrentIndex(max(index, 1))
    type_text(form.address_edit, "4组17号")
    form.address_edit.setFocus()
    settle(runner, 200)
    save(window, out / "screenshot-intake-applicant.png")

    page.next_step()
    settle(runner)
    if page.step != STEP_CHECKLIST:
        raise SystemExit(f"the applicant step did not pass: {form.field_problems()}")
    cl = page.checklist
    for row in cl.rows:
        if row.line.required:
            row.mark_received()
    cl.row_named("户口簿").set_state(MaterialState.MISSING)
    cl.row_named("家庭经济状况核对授权书").set_state(MaterialState.WRONG)
    cl.row_named("家庭经济状况核对授权书").set_reason("缺少一位家庭成员签字")
    cl.row_named("结婚证").set_state(MaterialState.NOT_APPLICABLE)
    cl.row_named("残疾人证").mark_received()
    cl.row_named("疾病诊断证明或病历").first_focus().setFocus()
    settle(runner, 200)
    save(window, out / "screenshot-intake-checklist.png")

    # the case list: the cases still running, earliest promised date first (red, yellow)
    window.tabs.setCurrentIndex(1)
    cases_page = window.case_list_page
    settle(runner, 300)
    cases_page.status_combo.setCurrentIndex(cases_page.status_combo.findData(OPEN_FILTER))
    settle(runner, 300)
    cases_page._on_header_clicked(COL_DUE)  # what a click on 承诺办结日 does
    settle(runner, 400)
    cases_page.view.selectRow(5)
    settle(runner, 200)
    save(window, out / "screenshot-cases.png")
    page._draft_timer.stop()
    window.hide()


def case_detail_screen(ctx, runner, clerk, case_id: int, out: Path) -> None:  # noqa: ANN001
    from clerk_app.ui.case_detail import CaseDetailDialog

    dialog = CaseDetailDialog(ctx, runner, clerk, case_id)
    dialog.resize(*WINDOW_SIZE)
    dialog.show()
    settle(runner, 300)
    save(dialog, out / "screenshot-case-detail.png")
    dialog.hide()


def catalog_screen(ctx, runner, supervisor, out: Path) -> None:  # noqa: ANN001
    from clerk_app.ui.main_window import CATALOG_TAB, MainWindow

    window = MainWindow(ctx, runner, supervisor)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(runner, 300)
    window.tabs.setCurrentIndex(CATALOG_TAB)
    page = window.catalog_page
    page.ensure_loaded()
    settle(runner, 300)
    type_text(page.search_edit, "gljt")
    settle(runner, 300)
    save(window, out / "screenshot-catalog.png")
    if window.intake_page is not None:
        window.intake_page._draft_timer.stop()
    window.hide()


def wizard_screen(folder: Path, clock: Clock, runner, out: Path) -> None:  # noqa: ANN001
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database
    from clerk_app.ui.setup_wizard import SetupWizard

    ctx = Context(Database(folder / "fresh.sqlite3"), clock)
    wizard = SetupWizard(ctx, runner)
    wizard.resize(*WIZARD_SIZE)
    wizard.show()
    settle(runner, 200)
    page = wizard.location_page
    for combo, code in ((page.city_combo, "4205"), (page.county_combo, "420528"),
                        (page.township_combo, "420528101")):
        combo.setCurrentIndex(combo.findData(code))
        settle(runner, 100)
    settle(runner, 200)
    save(wizard, out / "screenshot-setup.png")
    wizard.hide()
    ctx.db.dispose()


def agent_screen(laptop, runner, me, out: Path) -> None:  # noqa: ANN001
    from clerk_app.ui.agent_pages import AgentHomePage

    page = AgentHomePage(laptop, runner, me)
    page.resize(*AGENT_SIZE)
    page.show()
    settle(runner, 300)
    page.tabs.setCurrentIndex(page.tabs.count() - 1)  # 全部
    settle(runner, 200)
    save(page, out / "screenshot-agent-home.png")
    page.hide()


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (docs)")
    args = parser.parse_args(argv)
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm (poppler-utils) is needed for the printed pages")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="clerk-screenshots-") as tmp:
        work = Path(tmp)
        # the program's data folder and home: the temporary folder, never the real ones
        os.environ["HOME"] = str(work / "home")
        os.environ["XDG_DATA_HOME"] = str(work / "home" / ".local" / "share")
        os.environ["CLERK_APP_DATA_DIR"] = str(work / "data")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from clerk_app import paths

        paths.set_data_dir(None)
        clock = Clock(NOW)
        print("building the demo data …")
        township, supervisor, clerk, docs = build_township(work, clock)
        laptop, agent, sheet_id = build_laptop(work, clock, township, supervisor)

        from clerk_app.services import documents, handover
        from clerk_app.ui.app import create_application
        from clerk_app.ui.tasks import TaskRunner

        app = create_application(["screenshots"])  # fonts, palette, stylesheet, Qt's Chinese
        runner = TaskRunner()
        print("screens:")
        try:
            intake_screens(township, runner, clerk, out)
            case_detail_screen(township, runner, clerk, docs["detail_case"], out)
            catalog_screen(township, runner, supervisor, out)
            wizard_screen(work, clock, runner, out)
            agent_screen(laptop, runner, agent, out)
        finally:
            settle(runner)
            runner.shutdown()
        print("printed pages:")
        render_pages(documents.render(township, docs["notice"], "a4", as_copy=False)[0],
                     out / "print-notice-a4.png", work)
        render_pages(documents.render(township, docs["receipt"], "r80", as_copy=False)[0],
                     out / "print-receipt-80mm.png", work)
        render_pages(handover.sheet_pdf(laptop, agent, sheet_id), out / "print-handover.png", work)
        app.closeAllWindows()
        township.db.dispose()
        laptop.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
