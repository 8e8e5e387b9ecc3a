"""`clerk-app`: starts the counter window, or runs admin subcommands headless.

    clerk-app [--data-dir DIR] [--demo]
    clerk-app [--data-dir DIR] admin import-catalog ITEMS [MATERIALS]
    clerk-app admin add-operator USERNAME --name 姓名 [--role clerk|supervisor] [--password-stdin]
    clerk-app admin list-cases [--status S] [--deadline approaching|overdue] [--limit N]
    clerk-app admin print CASE_NO --doc notice|receipt|refusal --pdf OUT [--paper a4|r80]
    clerk-app admin setup --division CODE --device N --supervisor USER --name 姓名 [--password-stdin]
    clerk-app admin demo
    clerk-app admin calendar DATE workday|holiday 原因
    clerk-app admin calendar-year YEAR complete|incomplete [--note 说明]
    clerk-app admin enrol URL CODE [--ca-bundle PEM] [--insecure]
    clerk-app admin sync [--status]
    clerk-app admin export-outbox FILE
    clerk-app admin import-acks FILE
    clerk-app admin import-agent FILE [--code 提取码]     (an agent's laptop, from the supervisor's file)
    clerk-app admin list-agents

Every subcommand exits 0 on success and non-zero with a message in Chinese on bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import re
import sys
from pathlib import Path

from clerk_app import paths
from clerk_app.i18n import _

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


# argparse's own messages (it has no Chinese catalog), rewritten for the counter's IT staff
_ARGPARSE_MESSAGES = (
    (re.compile(r"argument (?P<arg>\S+): invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)"),
     _("{arg} 的值「{value}」无效，可选：{choices}")),
    (re.compile(r"argument (?P<arg>\S+): invalid int value: '(?P<value>[^']*)'"),
     _("{arg} 需要整数，「{value}」不是整数")),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), _("{arg} 后面需要一个值")),
    (re.compile(r"the following arguments are required: (?P<args>.*)"), _("缺少参数：{args}")),
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), _("无法识别的参数：{args}")),
)


def _chinese(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        m = pattern.search(message)
        if m:
            return template.format(**m.groupdict())
    return message


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with its own words in Chinese (it has no Chinese catalog)."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, _("用法：") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """Every (sub)command's parser: Chinese headings, -h text and error lead.

    ``add_parser`` makes subcommand parsers of the same class, so they get it too.
    """

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - argparse's
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = _("位置参数")
        self._optionals.title = _("选项")
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=_("显示本帮助并退出"))

    def error(self, message: str) -> None:  # argparse's own messages, with a Chinese lead
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("参数有误：{message}\n").format(message=_chinese(message)))


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="clerk-app", description=_("乡镇便民服务中心窗口受理客户端"))
    p.add_argument("--data-dir", help=_("数据目录（默认：用户数据目录；也可用环境变量 {env}）").format(
        env=paths.ENV_DATA_DIR))
    p.add_argument("--demo", action="store_true",
                   help=_("首次启动时自动设置演示服务点（长阳土家族自治县龙舟坪镇）"))
    sub = p.add_subparsers(dest="command", metavar=_("命令"))
    admin = sub.add_parser("admin", help=_("管理命令（无界面）"))
    a = admin.add_subparsers(dest="admin_command", required=True, metavar=_("管理命令"))

    imp = a.add_parser("import-catalog", help=_("导入事项清单（CSV 或 xlsx）"))
    imp.add_argument("items", type=Path)
    imp.add_argument("materials", type=Path, nargs="?")
    imp.add_argument("--remove-missing", action="store_true",
                     help=_("停用新清单中没有的事项（默认保持不变）"))
    imp.add_argument("--dry-run", action="store_true", help=_("只检查并报告将有的变化，不导入"))

    add = a.add_parser("add-operator", help=_("新增操作员"))
    add.add_argument("username", help=_("登录用户名，例如 zhangsan"))
    add.add_argument("--name", required=True, help=_("姓名"))
    add.add_argument("--role", default="clerk", choices=["clerk", "supervisor", "agent"],
                     help=_("角色：clerk 窗口人员（默认）、supervisor 负责人、agent 代办员"))
    add.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码"))

    ls = a.add_parser("list-cases", help=_("列出办件"))
    ls.add_argument("--status")
    ls.add_argument("--deadline", choices=["all", "approaching", "overdue"], default="all")
    ls.add_argument("--search", default="")
    ls.add_argument("--limit", type=int, default=50)

    pr = a.add_parser("print", help=_("把办件的文书输出为 PDF"))
    pr.add_argument("case_no", help=_("办件编号"))
    pr.add_argument("--doc", required=True, choices=["notice", "receipt", "refusal"],
                    help=_("文书：notice 一次性告知书、receipt 受理回执、refusal 不予受理通知书"))
    pr.add_argument("--pdf", required=True, type=Path, help=_("输出的 PDF 文件"))
    pr.add_argument("--paper", default="a4", choices=["a4", "r80"], help=_("纸张：a4（默认）或 r80 小票"))

    st = a.add_parser("setup", help=_("初始设置服务点"))
    st.add_argument("--division", required=True, help=_("12 位乡镇或村区划代码"))
    st.add_argument("--device", type=int, required=True, help=_("本机编号 1-59（60-99 留给代办员笔记本）"))
    st.add_argument("--supervisor", required=True)
    st.add_argument("--name", required=True)
    st.add_argument("--phone", default="")
    st.add_argument("--password-stdin", action="store_true")
    st.add_argument("--items", type=Path)
    st.add_argument("--materials", type=Path)

    a.add_parser("demo", help=_("设置演示服务点和演示操作员"))

    cal = a.add_parser("calendar", help=_("调整工作日（节假日或调休上班）"))
    cal.add_argument("day", help="YYYY-MM-DD")
    cal.add_argument("kind", choices=["workday", "holiday"])
    cal.add_argument("note")

    cy = a.add_parser("calendar-year", help=_("标记某年节假日安排已全部录入（或取消标记）"))
    cy.add_argument("year", help=_("年份，例如 2027"))
    cy.add_argument("state", choices=["complete", "incomplete"])
    cy.add_argument("--note", default="", help=_("说明，例如「据国务院办公厅通知录入」"))

    en = a.add_parser("enrol", help=_("用县级中心的一次性注册码注册本机"))
    en.add_argument("url", help=_("县级中心地址"))
    en.add_argument("code", help=_("注册码"))
    en.add_argument("--ca-bundle", default="", help=_("县级中心的 CA 证书（PEM）"))
    en.add_argument("--insecure", action="store_true", help=_("不校验 TLS 证书（仅限测试）"))

    sy = a.add_parser("sync", help=_("立即与县级中心同步"))
    sy.add_argument("--status", action="store_true", help=_("只显示同步状态，不联网"))

    ex = a.add_parser("export-outbox", help=_("把待上传记录导出到文件（U 盘带到县级中心）"))
    ex.add_argument("file", type=Path)
    ia = a.add_parser("import-acks", help=_("导入县级中心的回执文件"))
    ia.add_argument("file", type=Path)

    ag = a.add_parser("import-agent", help=_("导入代办员配置文件，把本机设为代办员的电脑"))
    ag.add_argument("file", type=Path)
    ag.add_argument("--code", help=_("提取码（不给时从标准输入读取）"))
    a.add_parser("list-agents", help=_("列出代办员"))
    return p


def _agents_admin(ctx, args: argparse.Namespace) -> int:  # noqa: ANN001
    from clerk_app.domain.agents import AgentStatus
    from clerk_app.services import agents

    if args.admin_command == "import-agent":
        try:
            content = args.file.read_bytes()
        except OSError as exc:
            print(_("无法读取 {path}：{error}").format(path=args.file, error=exc.strerror), file=sys.stderr)
            return EXIT_ERROR
        code = args.code if args.code is not None else sys.stdin.readline().strip()
        done = agents.import_provisioning(ctx, content, code)
        print(_("本机已设为代办员 {name}（{no}）的电脑，可用账号 {user} 登录。").format(
            name=done.name, no=done.agent_no, user=done.username))
        return EXIT_OK
    for a in agents.list_agents(ctx):
        print("\t".join([a.agent_no, a.name, a.phone, AgentStatus(a.status).label, agents.villages_text(a)]))
    return EXIT_OK


def _sync_admin(ctx, args: argparse.Namespace) -> int:  # noqa: ANN001
    from clerk_app.services import sync_admin

    cmd = args.admin_command
    if cmd == "enrol":
        if args.insecure:
            print(_("警告：已关闭 TLS 证书校验，数据可能被冒充的服务器截获，仅限测试使用。"), file=sys.stderr)
        res = sync_admin.enrol(ctx, None, args.url, args.code, verify=not args.insecure,
                               ca_bundle=args.ca_bundle)
        print(_("本机已在县级中心注册：{name}").format(name=res.service_point_name))
        return EXIT_OK
    if cmd == "sync":
        if not args.status:
            report = sync_admin.sync_now(ctx)
            if report.skipped:
                print(_("另一个同步正在进行。"), file=sys.stderr)
                return EXIT_ERROR
            print(_("上传 {applied} 条（重复 {dup} 条），拒收 {rejected} 条，暂缓 {deferred} 条；下载 {pulled} 条。").format(
                applied=report.applied, dup=report.duplicates, rejected=report.rejected,
                deferred=report.deferred, pulled=report.pulled))
            if report.error:
                print(report.error, file=sys.stderr)
                return EXIT_ERROR
        ov = sync_admin.overview(ctx)
        last = ov.last_success_at.strftime("%Y-%m-%d %H:%M") if ov.last_success_at else _("从未")
        print(_("待上传 {pending} 条，被拒收 {rejected} 条，冲突 {conflicts} 个；上次成功同步：{last}").format(
            pending=ov.pending, rejected=ov.rejected, conflicts=ov.conflicts, last=last))
        for rec in sync_admin.rejected_records(ctx):
            print("\t".join([rec.case_no, rec.op, rec.reason]))
        return EXIT_OK
    if cmd == "export-outbox":
        n = sync_admin.export_outbox(ctx, None, args.file)
        print(_("已导出 {n} 条待上传记录到 {path}。请带到县级中心导入，再把回执文件带回本机导入。").format(
            n=n, path=args.file))
        return EXIT_OK
    if cmd == "import-acks":
        report = sync_admin.import_acks(ctx, None, args.file)
        print(_("回执已导入：县级已接收 {applied} 条，拒收 {rejected} 条；下发信息 {pulled} 条。").format(
            applied=report.pushed, rejected=report.rejected, pulled=report.pulled))
        if report.stale:
            print(_("另有 {n} 条答复针对的是记录修改或重新上传之前的版本，已忽略，这些记录照常等待上传。").format(
                n=report.stale))
        return EXIT_OK
    raise AssertionError(cmd)


def _print_moved(moved: int) -> None:
    if moved:
        print(_("已重新计算 {n} 件在办办件的办理期限。").format(n=moved))


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")  # a file saved on Windows ends lines in CRLF
    first = getpass.getpass(_("密码："))
    second = getpass.getpass(_("再输入一次："))
    if first != second:
        raise SystemExit(_("两次输入的密码不一致。"))
    return first


def _context():
    from clerk_app.services.common import Context
    from clerk_app.store.db import Database

    return Context(Database(paths.database_path()))


def _admin(args: argparse.Namespace) -> int:
    from clerk_app.domain.status import CaseStatus, DocKind
    from clerk_app.services import auth, calendar, catalog, cases, documents, setup
    from clerk_app.domain.status import Role

    ctx = _context()
    # IT staff at the command line are trusted like a supervisor; the audit log records no
    # operator for these changes (actor None).
    cmd = args.admin_command
    if cmd == "demo":
        done = setup.set_up_demo(ctx)
        print(_("演示服务点已设置。") if done else _("本机已经设置过服务点，未做改动。"))
        return EXIT_OK
    if cmd == "setup":
        password = _read_password(args.password_stdin)
        setup.set_up(ctx, setup.SetupRequest(
            division_code=args.division, device_no=args.device,
            supervisor_username=args.supervisor, supervisor_name=args.name,
            supervisor_password=password, phone=args.phone,
            items_path=args.items, materials_path=args.materials))
        print(_("服务点已设置：{name}").format(name=setup.service_point(ctx).name))
        return EXIT_OK
    if cmd in ("import-agent", "list-agents"):  # import-agent sets up a laptop from nothing
        return _agents_admin(ctx, args)
    if not setup.is_set_up(ctx):
        print(_("本机还没有设置服务点。请先运行 clerk-app admin setup（或 admin demo），或启动程序完成初始设置。"),
              file=sys.stderr)
        return EXIT_ERROR
    if cmd in ("enrol", "sync", "export-outbox", "import-acks"):
        return _sync_admin(ctx, args)
    if cmd == "import-catalog":
        result = catalog.import_catalog(ctx, None, args.items, args.materials,
                                        remove_missing=args.remove_missing, dry_run=args.dry_run)
        print(result.summary())
        if result.removed:  # by 实施编码: after the import they are no longer current items
            print(_("停用的实施编码：{codes}").format(codes="、".join(result.removed)))
        return EXIT_OK
    if cmd == "add-operator":
        password = _read_password(args.password_stdin)
        auth.add_operator(ctx, None, args.username, args.name, args.role, password)
        print(_("已新增操作员 {username}（{role}）。").format(username=args.username,
                                                         role=Role(args.role).label))
        return EXIT_OK
    if cmd == "list-cases":
        statuses = set()
        if args.status:
            try:
                statuses = {CaseStatus(args.status).value}
            except ValueError:
                valid = "、".join(f"{s.value}（{s.label}）" for s in CaseStatus)
                print(_("没有这个状态：{s}。可用：{valid}").format(s=args.status, valid=valid), file=sys.stderr)
                return EXIT_USAGE
        listing = cases.CaseList(ctx, cases.CaseFilter(text=args.search, statuses=statuses,
                                                       deadline=args.deadline))
        labels = {"none": "", "normal": _("正常"), "approaching": _("预警"), "overdue": _("超期")}
        for row in listing.rows(0, max(0, args.limit)):
            due = row.due_date.isoformat() if row.due_date else "-"
            if row.due_estimated:
                due += _("（估）")
            print("\t".join([row.case_no, row.created_at.strftime("%Y-%m-%d %H:%M"),
                             CaseStatus(row.status).label, row.applicant_name, row.item_name, due,
                             labels[row.deadline]]))
        print(_("共 {n} 件").format(n=len(listing)), file=sys.stderr)
        return EXIT_OK
    if cmd == "print":
        doc = documents.latest_document(ctx, args.case_no, DocKind(args.doc))
        is_copy = documents.save_pdf(ctx, None, doc.id, args.paper, args.pdf)
        print(_("已输出 {path}{copy}").format(path=args.pdf, copy=_("（补打）") if is_copy else ""))
        return EXIT_OK
    if cmd == "calendar":
        try:
            day = dt.date.fromisoformat(args.day)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.day):
                print(_("没有 {day} 这一天，请核对月份和日期。").format(day=args.day), file=sys.stderr)
            else:
                print(_("日期格式应为 YYYY-MM-DD，例如 2027-02-06。"), file=sys.stderr)
            return EXIT_USAGE
        if not 2000 <= day.year <= 2100:
            print(_("只能调整 2000 年到 2100 年之间的日期。"), file=sys.stderr)
            return EXIT_USAGE
        moved = calendar.set_override(ctx, None, day, args.kind == "workday", args.note)
        print(_("已设置 {day} 为{kind}。").format(day=day.isoformat(),
                                              kind=_("工作日") if args.kind == "workday" else _("休息日")))
        _print_moved(moved)
        return EXIT_OK
    if cmd == "calendar-year":
        if not re.fullmatch(r"\d{4}", args.year):
            print(_("年份应为四位数字，例如 2027。"), file=sys.stderr)
            return EXIT_USAGE
        year = int(args.year)
        if not calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR:
            print(_("只能标记 {first} 年到 {last} 年之间的年份。").format(
                first=calendar.FIRST_YEAR, last=calendar.LAST_YEAR), file=sys.stderr)
            return EXIT_USAGE
        complete = args.state == "complete"
        moved = calendar.set_year_complete(ctx, None, year, complete, args.note)
        if complete:
            print(_("已标记 {year} 年节假日安排已全部录入，该年期限不再按估算显示。").format(year=year))
        else:
            print(_("已取消 {year} 年的标记，该年没有录入的日期重新按周一至周五估算。").format(year=year))
        _print_moved(moved)
        return EXIT_OK
    raise AssertionError(cmd)


def _configure_logging() -> None:
    logging.basicConfig(
        filename=str(paths.log_dir() / "clerk-app.log"),
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _cannot_start(args: argparse.Namespace, message: str) -> int:
    """Say why on stderr; a window user (started from an icon) gets a message box too."""
    print(message, file=sys.stderr)
    if args.command != "admin":
        try:
            from clerk_app.ui.app import show_startup_error

            show_startup_error(message)
        except Exception:  # no display either: stderr and the exit code must do
            logging.getLogger(__name__).debug("no message box", exc_info=True)
    return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from clerk_app.services.common import ServiceError
    from clerk_app.store.db import DatabaseError

    try:
        if args.data_dir:
            paths.set_data_dir(args.data_dir)
        paths.data_dir()
        _configure_logging()
    except paths.DataDirError as exc:
        return _cannot_start(args, exc.message)
    except OSError as exc:  # the log file itself
        return _cannot_start(args, _("无法写入日志文件：{error}").format(error=exc))
    if args.command == "admin":
        try:
            return _admin(args)
        except (ServiceError, DatabaseError) as exc:
            print(exc.message, file=sys.stderr)
            return EXIT_ERROR
        except (KeyboardInterrupt, EOFError):
            print(_("已取消。"), file=sys.stderr)
            return EXIT_ERROR
    from clerk_app.ui.app import run  # Qt only when a window is wanted

    return run(demo=args.demo)


if __name__ == "__main__":
    raise SystemExit(main())
