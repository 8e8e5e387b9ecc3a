"""The headless admin command line, run as IT staff would run it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import CATALOG_DIR

ITEMS = CATALOG_DIR / "township-items.csv"
MATERIALS = CATALOG_DIR / "township-materials.csv"


def run(data_dir, *args, stdin: str = ""):
    env = dict(os.environ, CLERK_APP_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "clerk_app.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def test_admin_commands_end_to_end(tmp_path):
    d = tmp_path / "data"
    r = run(d, "admin", "list-cases")
    assert r.returncode != 0 and "admin setup" in r.stderr
    r = run(d, "admin", "setup", "--division", "420528101000", "--device", "3",
            "--supervisor", "boss", "--name", "王主任", "--password-stdin", stdin="abc12345\n")
    assert r.returncode == 0, r.stderr
    assert "龙舟坪镇便民服务中心" in r.stdout
    r = run(d, "admin", "import-catalog", str(ITEMS), str(MATERIALS))
    assert r.returncode == 0, r.stderr
    assert "新增 26 项" in r.stdout or "新增" in r.stdout
    r = run(d, "admin", "add-operator", "xiaoli", "--name", "小李", "--password-stdin",
            stdin="abc12345\n")
    assert r.returncode == 0, r.stderr
    r = run(d, "admin", "add-operator", "xiaoli", "--name", "小李", "--password-stdin",
            stdin="abc12345\n")
    assert r.returncode == 1 and "已存在" in r.stderr

    # take a case through the services on the same data folder, then print it from the CLI
    from clerk_app import paths
    from clerk_app.services import auth, catalog, intake
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database
    from tests.core.helpers import all_received, person

    paths.set_data_dir(d)
    database = Database(paths.database_path())
    ctx = Context(database)
    actor = auth.login(ctx, "xiaoli", "abc12345")
    item = next(it for it in catalog.current_items(ctx) if it.name == "临时救助申请")
    out = intake.accept(ctx, actor, intake.IntakeForm(item.id, person(), all_received(item)))
    database.dispose()

    r = run(d, "admin", "list-cases")
    assert r.returncode == 0 and out.case_no in r.stdout and "张三" in r.stdout
    pdf = tmp_path / "receipt.pdf"
    r = run(d, "admin", "print", out.case_no.replace("-", ""), "--doc", "receipt", "--pdf", str(pdf))
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    r = run(d, "admin", "print", out.case_no, "--doc", "notice", "--pdf", str(pdf))
    assert r.returncode == 1 and "没有出具过" in r.stderr
    r = run(d, "admin", "print", "123", "--doc", "receipt", "--pdf", str(pdf))
    assert r.returncode == 1 and "格式不对" in r.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("admin", "import-catalog", "/nonexistent.csv"), "找不到文件"),
        (("admin", "calendar", "2027-13-01", "workday", "x"), "没有 2027-13-01 这一天"),
        (("admin", "calendar", "2027/02/01", "workday", "x"), "YYYY-MM-DD"),
        (("admin", "calendar", "0001-01-01", "workday", "x"), "2000 年到 2100 年"),
        (("admin", "add-operator", "x", "--name", "小", "--role", "boss"), "无效，可选"),
        (("admin", "import-catalog", "/tmp"), "是一个目录"),
        (("admin", "list-cases", "--status", "nope"), "没有这个状态"),
        (("admin", "print", "x", "--doc", "bogus", "--pdf", "o.pdf"), "参数有误"),
    ],
)
def test_bad_input_exits_nonzero_with_a_message(tmp_path, args, message):
    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    r = run(d, *args)
    assert r.returncode != 0
    assert message in r.stderr


def test_bad_catalog_reports_rows(tmp_path):
    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    bad = tmp_path / "bad.csv"
    text = ITEMS.read_text(encoding="utf-8-sig").splitlines()
    parts = text[3].split(",")
    parts[6] = "abc"
    text[3] = ",".join(parts)
    bad.write_text("\n".join(text), encoding="gbk")
    r = run(d, "admin", "import-catalog", str(bad))
    assert r.returncode == 1
    assert "第 4 行" in r.stderr and "法定时限" in r.stderr


def test_an_unusable_data_folder_is_explained(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for folder, reason in ((a_file, "不是目录"), (a_file / "sub", "路径中有一部分不是目录")):
        r = run(folder, "admin", "list-cases")
        assert r.returncode == 1
        assert "无法使用数据目录" in r.stderr and reason in r.stderr
        assert "Traceback" not in r.stderr


def test_a_database_that_cannot_be_opened_is_explained(tmp_path):
    d = tmp_path / "data"
    (d / "clerk.sqlite3").mkdir(parents=True)  # a folder where the database file should be
    r = run(d, "admin", "list-cases")
    assert r.returncode == 1 and "无法使用本机数据库" in r.stderr
    assert "Traceback" not in r.stderr


def test_import_keeps_items_missing_from_a_partial_file_unless_asked(tmp_path):
    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    lines = ITEMS.read_text(encoding="utf-8-sig").splitlines()
    partial = tmp_path / "partial.csv"
    partial.write_text("\n".join(lines[:3]), encoding="utf-8")
    r = run(d, "admin", "import-catalog", str(partial))
    assert r.returncode == 0 and "保持不变" in r.stdout and "停用 0 项" in r.stdout
    r = run(d, "admin", "import-catalog", str(partial), "--remove-missing", "--dry-run")
    assert r.returncode == 0 and "将要" in r.stdout and "停用的实施编码" in r.stdout
    r = run(d, "admin", "list-cases")  # still works; the catalog is intact
    assert r.returncode == 0


def test_calendar_year_complete_from_the_command_line(tmp_path):
    import datetime as dt

    from sqlalchemy import select

    from clerk_app import paths
    from clerk_app.services import auth, calendar, catalog, intake
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database
    from clerk_app.store.models import CaseEvent
    from tests.conftest import Clock
    from tests.core.helpers import all_received, person

    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    # a case accepted on Thursday 2026-12-24 whose promised date reaches into 2027
    paths.set_data_dir(d)
    database = Database(paths.database_path())
    ctx = Context(database, Clock(dt.datetime(2026, 12, 24, 9, 0)))
    actor = auth.login(ctx, "zhangli", "demo1234")
    item = next(it for it in catalog.current_items(ctx) if it.name == "最低生活保障申请")
    out = intake.accept(ctx, actor, intake.IntakeForm(item.id, person(), all_received(item)))
    assert out.due_estimated and out.due_date == dt.date(2027, 1, 7)
    database.dispose()

    for args, message in (
        (("27", "complete"), "四位数字"),
        (("1999", "complete"), "2000 年到 2100 年"),
        (("2027", "done"), "无效，可选"),
        (("2027", "complete"), "还没有录入任何节假日"),  # nothing entered for 2027 yet
        (("2026", "complete"), "内置日历"),
        (("2027", "incomplete"), "没有标记"),
    ):
        r = run(d, "admin", "calendar-year", *args)
        assert r.returncode != 0 and message in r.stderr, (args, r.stderr)

    r = run(d, "admin", "calendar", "2027-01-01", "holiday", "2027 年元旦")
    assert r.returncode == 0 and "已重新计算 1 件" in r.stdout, r.stderr
    r = run(d, "admin", "calendar-year", "2027", "complete", "--note", "据国务院办公厅通知")
    assert r.returncode == 0, r.stderr
    assert "2027 年节假日安排已全部录入" in r.stdout and "已重新计算 1 件" in r.stdout

    database = Database(paths.database_path())
    ctx = Context(database, Clock(dt.datetime(2026, 12, 24, 9, 0)))
    try:
        assert calendar.calendar(ctx).is_workday(dt.date(2027, 3, 1)) == (True, False)
        assert calendar.calendar_state(ctx)[1] == ""
        with ctx.tx() as s:
            events = s.scalars(select(CaseEvent).where(CaseEvent.action == "due_recalculated")
                               .order_by(CaseEvent.id)).all()
            assert [e.detail["due_estimated"] for e in events] == [True, False]
            assert events[-1].detail["due_date"] == "2027-01-08" and events[-1].operator_id is None
    finally:
        database.dispose()
    r = run(d, "admin", "list-cases")
    assert "2027-01-08" in r.stdout and "（估）" not in r.stdout


def test_import_catalog_from_one_workbook_with_two_sheets(tmp_path):
    from tests.core.helpers import SHEET_TITLE, csv_rows, write_workbook

    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    irows, mrows = csv_rows(ITEMS), csv_rows(MATERIALS)
    irows[1][irows[0].index("承诺时限（工作日）")] = "7"
    code = irows[0].index("实施编码")
    copies = mrows[0].index("份数")
    # a material of another item than the one changed above
    bad = next(i for i, r in enumerate(mrows) if i and r[0] != irows[1][code])
    mrows[bad][copies] = "-1"
    row = bad + 3  # below the title, a blank line and the header
    book = tmp_path / "清单.xlsx"
    write_workbook(book, [("事项", irows, SHEET_TITLE), ("材料", mrows, SHEET_TITLE)])
    r = run(d, "admin", "import-catalog", str(book))
    assert r.returncode == 1
    assert f"清单.xlsx 工作表「材料」第 {row} 行「份数」列：不能小于 1" in r.stderr
    assert "Traceback" not in r.stderr

    mrows[bad][copies] = "2"
    write_workbook(book, [("事项", irows, SHEET_TITLE), ("材料", mrows, SHEET_TITLE)])
    r = run(d, "admin", "import-catalog", str(book))
    assert r.returncode == 0, r.stderr
    # the promised limit from the items sheet, the copies from the materials sheet
    assert "更新 2 项" in r.stdout and "没有找到材料表" not in r.stdout

    write_workbook(book, [("事项", irows, SHEET_TITLE)])
    r = run(d, "admin", "import-catalog", str(book), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "清单.xlsx 中没有找到材料表" in r.stdout and "未变" in r.stdout


def test_a_blank_or_weak_password_from_stdin_is_refused(tmp_path):
    d = tmp_path / "data"
    assert run(d, "admin", "demo").returncode == 0
    for password, why in ((" " * 8, "全是空格"), ("12345678", "字母和数字"), ("abcdefgh", "字母和数字")):
        r = run(d, "admin", "add-operator", "blankpw", "--name", "空格", "--role", "clerk",
                "--password-stdin", stdin=password + "\n")
        assert r.returncode == 1 and why in r.stderr, (password, r.stdout, r.stderr)
    r = run(d, "admin", "add-operator", "crlf", "--name", "小王", "--password-stdin", stdin="abc12345\r\n")
    assert r.returncode == 0, r.stderr  # a line from a file saved on Windows


@pytest.mark.parametrize("args", [("--help",), ("admin", "--help"), ("admin", "add-operator", "--help"),
                                  ("admin", "print", "-h")])
def test_help_is_in_chinese(tmp_path, args):
    r = run(tmp_path / "data", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("用法：") and "显示本帮助并退出" in r.stdout
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in r.stdout


def test_a_missing_subcommand_is_named_in_chinese(tmp_path):
    r = run(tmp_path / "data", "admin")
    assert r.returncode == 2 and "用法：" in r.stderr and "缺少参数：管理命令" in r.stderr
    assert "usage:" not in r.stderr
