"""`county-center`: run the reference county server and its admin commands.

    county-center [--db URL] serve [--host 127.0.0.1] [--port 8600]
    county-center init-db
    county-center add-service-point DIVISION [--name 名称]
    county-center issue-code DIVISION [--device-no N] [--hours 72]
    county-center list-devices / revoke-device DEVICE_ID
    county-center import-catalog ITEMS [MATERIALS]
    county-center calendar DATE workday|holiday 原因
    county-center calendar-year YEAR complete|incomplete [--note 说明]
    county-center add-operator DIVISION USERNAME --name 姓名 --role clerk|supervisor|agent
    county-center list-cases [--service-point D] [--status S] / show-case CASE_NO
    county-center set-status CASE_NO in_review|completed|not_approved [--official-no N] [--result 文本]
    county-center list-agents [--service-point D] [--status S] / show-agent NO|KEY
    county-center list-commissions [--service-point D] [--agent NO] [--state S] / show-commission NO
    county-center list-handovers [--service-point D] [--agent NO] [--state S] / show-handover NO
    county-center set-handover-limit DAYS   (代办交件期限，工作日；下发到所有设备)
    county-center import-usb FILE --acks OUT
    county-center openapi [--out FILE]

The database: ``--db`` or ``COUNTY_CENTER_DB`` (a SQLAlchemy URL, e.g.
``postgresql+psycopg://county@127.0.0.1/county``, or a path to a SQLite file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from county_center import service
from county_center.db import ENV_DB, CountyDB
from county_center.service import CountyError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"参数有误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="county-center", description="县级政务服务中心（同步服务端，参考实现）")
    p.add_argument("--db", help=f"数据库地址（SQLAlchemy URL 或 SQLite 文件路径；也可用环境变量 {ENV_DB}）")
    sub = p.add_subparsers(dest="command", required=True)

    sv = sub.add_parser("serve", help="启动同步服务")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8600)
    sv.add_argument("--certfile", help="TLS 证书（PEM）；生产环境请在前面放反向代理或在此启用 TLS")
    sv.add_argument("--keyfile")
    sv.add_argument("--max-body", type=int, help="请求体上限（字节）")

    sub.add_parser("init-db", help="建立数据库表")

    sp = sub.add_parser("add-service-point", help="登记服务点")
    sp.add_argument("division")
    sp.add_argument("--name")

    ic = sub.add_parser("issue-code", help="签发一次性设备注册码")
    ic.add_argument("division")
    ic.add_argument("--device-no", type=int)
    ic.add_argument("--hours", type=int, default=service.DEFAULT_CODE_HOURS)

    sub.add_parser("list-devices", help="列出已注册设备")
    rv = sub.add_parser("revoke-device", help="注销设备（其凭据立即失效）")
    rv.add_argument("device_id")

    cat = sub.add_parser("import-catalog", help="导入并发布事项清单（CSV 或 xlsx）")
    cat.add_argument("items", type=Path)
    cat.add_argument("materials", type=Path, nargs="?")

    cal = sub.add_parser("calendar", help="发布工作日调整")
    cal.add_argument("day", help="YYYY-MM-DD")
    cal.add_argument("kind", choices=["workday", "holiday"])
    cal.add_argument("note")

    cy = sub.add_parser("calendar-year", help="发布某年节假日安排已全部发布（或取消）")
    cy.add_argument("year", help="年份，例如 2027")
    cy.add_argument("state", choices=["complete", "incomplete"])
    cy.add_argument("--note", default="")

    op = sub.add_parser("add-operator", help="登记或修改服务点的操作员、代办员")
    op.add_argument("division")
    op.add_argument("username")
    op.add_argument("--name", required=True)
    op.add_argument("--role", required=True, choices=["clerk", "supervisor", "agent"])
    op.add_argument("--phone", default="")
    op.add_argument("--inactive", action="store_true", help="停用")
    op.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码")

    ls = sub.add_parser("list-cases", help="列出办件")
    ls.add_argument("--service-point")
    ls.add_argument("--status")
    ls.add_argument("--limit", type=int, default=100)

    sh = sub.add_parser("show-case", help="查看办件及其全部改动")
    sh.add_argument("case_no")

    st = sub.add_parser("set-status", help="设置办件的县级状态与结果（代替审批系统）")
    st.add_argument("case_no")
    st.add_argument("status", choices=["in_review", "completed", "not_approved"])
    st.add_argument("--official-no", help="正式办件号")
    st.add_argument("--result", help="办理结果")

    for entity, noun, states in (("agent", "代办员", "active|suspended|left"),
                                 ("commission", "代办委托", "commissioned|collected|handed_over|…"),
                                 ("handover", "交接单", "issued|delivered|received|replaced")):
        la = sub.add_parser(_LIST_COMMAND[entity], help=f"列出{noun}（县级合并后的最新状态）")
        la.add_argument("--service-point", help="只列该服务点（区划代码）")
        if entity != "agent":
            la.add_argument("--agent", help="只列该代办员（编号）")
        la.add_argument("--status" if entity == "agent" else "--state", dest="state", help=states)
        sa = sub.add_parser(_SHOW_COMMAND[entity], help=f"查看{noun}及其全部上传记录")
        sa.add_argument("ref", help={"agent": "代办员编号或键", "commission": "委托编号",
                                     "handover": "交接单编号"}[entity])

    hl = sub.add_parser("set-handover-limit",
                        help="设定代办材料收件后交到乡镇的期限（工作日，1–30），下发到所有设备")
    hl.add_argument("days", type=int)

    us = sub.add_parser("import-usb", help="导入服务点用 U 盘带来的待上传文件，并写出回执文件")
    us.add_argument("file", type=Path)
    us.add_argument("--acks", type=Path, required=True, help="回执文件（带回服务点导入）")

    oa = sub.add_parser("openapi", help="输出 OpenAPI 文档")
    oa.add_argument("--out", type=Path)
    return p


_LIST_COMMAND = {"agent": "list-agents", "commission": "list-commissions", "handover": "list-handovers"}
_SHOW_COMMAND = {"agent": "show-agent", "commission": "show-commission", "handover": "show-handover"}
_NOUN = {"agent": "代办员", "commission": "委托", "handover": "交接单"}


def _villages(codes: list[str]) -> str:
    try:
        from clerk_app.domain import divisions

        names = [(d.name if (d := divisions.get(c)) else c) for c in codes]
    except Exception:  # the division table is a convenience, never a requirement
        names = list(codes)
    return "、".join(names) or "-"


def _list_agent_objects(s, entity: str, args: argparse.Namespace) -> int:  # noqa: ANN001
    """One line per object, tab-separated like list-cases: number, name, state code, its
    Chinese name, then what identifies it (villages; agent; commissions)."""
    from county_center import agents as cc_agents

    sp_id = service.service_point(s, args.service_point).id if args.service_point else None
    rows = cc_agents.list_objects(s, entity, sp_id, getattr(args, "agent", None), args.state)
    points = {p.id: p.division_code for p in s.scalars(service.select(service.ServicePoint))}
    for o in rows:
        d = o.data
        if entity == "agent":
            cols = [o.agent_no, str(d.get("name") or ""), o.state, cc_agents.state_label(entity, o.state),
                    _villages(list(d.get("villages") or [])) + (f"（网格：{d['grid']}）" if d.get("grid") else ""),
                    str(d.get("phone") or "-")]
        elif entity == "commission":
            cols = [o.key, str((d.get("principal") or {}).get("name") or ""), o.state,
                    cc_agents.state_label(entity, o.state), o.agent_no, str(d.get("item_name") or ""),
                    str(d.get("case_no") or "-")]
        else:
            cols = [o.key, o.agent_no, o.state, cc_agents.state_label(entity, o.state),
                    str(len(d.get("commission_nos") or [])), "、".join(d.get("commission_nos") or [])]
        cols.append(points.get(o.service_point_id, "?"))
        cols.append(o.updated_at.isoformat(sep=" "))
        print("\t".join(cols))
    if not rows:
        print(f"（没有符合条件的{_NOUN[entity]}记录）", file=sys.stderr)
    return EXIT_OK


def _show_agent_object(s, entity: str, ref: str) -> int:  # noqa: ANN001
    """The county's merged object as JSON (like show-case), and every record that made it."""
    from county_center import agents as cc_agents

    obj = cc_agents.find_object(s, entity, ref.strip())
    if obj is None:
        raise CountyError(f"unknown_{entity}", f"县级中心没有{_NOUN[entity]} {ref}。", 404)
    sp = s.get(service.ServicePoint, obj.service_point_id)
    devices = {d.id: d.device_no for d in s.scalars(service.select(service.Device).where(
        service.Device.service_point_id == obj.service_point_id))}
    data = {k: v for k, v in obj.data.items() if k != "photo"}  # a photo is no reading matter
    print(json.dumps({
        "entity": entity, "key": obj.key, "agent_no": obj.agent_no,
        "service_point": sp.division_code if sp else None,
        ("status" if entity == "agent" else "state"): obj.state,
        ("status_label" if entity == "agent" else "state_label"): cc_agents.state_label(entity, obj.state),
        "updated_at": obj.updated_at.isoformat(),
        "changes": [{"op": ch.op, "record_id": ch.record_id, "applied_at": ch.applied_at.isoformat(),
                     "via": ch.via, "device_id": ch.device_id, "device_no": devices.get(ch.device_id)}
                    for ch in cc_agents.changes_of(s, entity, obj.key)],
        "data": data,
    }, ensure_ascii=False, indent=2))
    return EXIT_OK


def _serve(db: CountyDB, args: argparse.Namespace) -> int:
    import uvicorn

    from county_center.api import ServerConfig, create_app

    config = ServerConfig()
    if args.max_body:
        config.max_body_bytes = args.max_body
    app = create_app(db, config)
    print(f"县级中心同步服务：http{'s' if args.certfile else ''}://{args.host}:{args.port}/api/v1", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info",
                ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    db = CountyDB(args.db)
    try:
        return _run(db, args)
    finally:
        db.dispose()


def _run(db: CountyDB, args: argparse.Namespace) -> int:
    cmd = args.command
    if cmd == "serve":
        return _serve(db, args)
    if cmd == "init-db":
        print(f"数据库已就绪（结构版本 {db.schema_version()}）。")
        return EXIT_OK
    if cmd == "openapi":
        from county_center.api import create_app

        text = json.dumps(create_app(db).openapi(), ensure_ascii=False, indent=2)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return EXIT_OK
    if cmd == "import-usb":
        from county_center.usb import import_file

        summary = import_file(db, args.file, args.acks)
        print(summary)
        return EXIT_OK
    with db.tx() as s:
        for entity, name in _LIST_COMMAND.items():
            if cmd == name:
                return _list_agent_objects(s, entity, args)
        for entity, name in _SHOW_COMMAND.items():
            if cmd == name:
                return _show_agent_object(s, entity, args.ref)
        if cmd == "set-handover-limit":
            service.set_county_setting(s, "agents.handover_limit_days", args.days)
            print(f"已下发：代办交件期限为收件后 {args.days} 个工作日（本机另有设定的服务点除外）。")
            return EXIT_OK
        if cmd == "add-service-point":
            sp = service.add_service_point(s, args.division, args.name)
            print(f"服务点已登记：{sp.division_code} {sp.name}")
        elif cmd == "issue-code":
            code = service.issue_code(s, args.division, args.device_no, args.hours)
            print(code)
            print(f"（{args.hours} 小时内有效，只能用一次）", file=sys.stderr)
        elif cmd == "list-devices":
            for d in s.scalars(service.select(service.Device).order_by(service.Device.enrolled_at)):
                sp = s.get(service.ServicePoint, d.service_point_id)
                state = "已注销" if d.revoked_at else ("已过期" if d.token_expires_at < service.utcnow() else "有效")
                seen = d.last_seen_at.isoformat(sep=" ") if d.last_seen_at else "-"
                print("\t".join([d.id, sp.division_code, f"{d.device_no:02d}", d.name, state, seen]))
        elif cmd == "revoke-device":
            d = service.revoke_device(s, args.device_id)
            print(f"设备 {d.id} 已注销。")
        elif cmd == "import-catalog":
            v = service.import_catalog_files(s, args.items, args.materials)
            print(f"事项清单已发布：第 {v.id} 版，{len(v.items)} 项。")
        elif cmd == "calendar":
            try:
                day = dt.date.fromisoformat(args.day)
            except ValueError:
                print("日期格式应为 YYYY-MM-DD，例如 2027-02-06。", file=sys.stderr)
                return EXIT_USAGE
            service.set_calendar_day(s, day, args.kind == "workday", args.note)
            print(f"已发布：{day.isoformat()} 为{'工作日' if args.kind == 'workday' else '休息日'}。")
        elif cmd == "calendar-year":
            if not (args.year.isascii() and args.year.isdigit() and len(args.year) == 4):
                print("年份应为四位数字，例如 2027。", file=sys.stderr)
                return EXIT_USAGE
            complete = args.state == "complete"
            service.set_calendar_year(s, int(args.year), complete, args.note)
            print(f"已发布：{args.year} 年节假日安排已全部发布，各设备该年期限不再按估算显示。" if complete
                  else f"已发布：取消 {args.year} 年的全年标记。")
        elif cmd == "add-operator":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            service.upsert_operator(s, args.division, args.username, args.name, args.role,
                                    args.phone, not args.inactive, password)
            print(f"操作员 {args.username} 已发布到服务点 {args.division}。")
        elif cmd == "list-cases":
            for c in service.list_cases(s, args.service_point, args.status, args.limit):
                print("\t".join([c.case_no, c.status, c.applicant_name, c.item_name,
                                 c.official_no or "-", c.catalog_note or ""]))
        elif cmd == "show-case":
            case, changes = service.show_case(s, args.case_no)
            print(json.dumps({
                "case_no": case.case_no, "status": case.status, "item_code": case.item_code,
                "item_name": case.item_name, "catalog_note": case.catalog_note,
                "applicant_name": case.applicant_name, "official_no": case.official_no,
                "result_text": case.result_text, "county_version": case.county_version,
                "changes": [{"seq": ch.seq, "op": ch.op, "record_id": ch.record_id,
                             "applied_at": ch.applied_at.isoformat(), "via": ch.via}
                            for ch in changes],
            }, ensure_ascii=False, indent=2))
        elif cmd == "set-status":
            c = service.set_case_status(s, args.case_no, args.status, args.official_no, args.result)
            print(f"办件 {c.case_no} 已设为 {service.county_status_label(c.status)}。")
        else:  # pragma: no cover - argparse limits the choices
            raise AssertionError(cmd)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except CountyError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
