"""Agent rules: states and transitions, numbers, scope, handover limit, the QR code's codec and
its refusals, the registry, overdue handovers and the township's counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.domain import agents as D
from clerk_app.domain.agents import AgentStatus, CommissionState as S
from clerk_app.domain.status import MaterialState
from clerk_app.domain.workdays import WorkCalendar
from clerk_app.services import agents, auth, commissions, handover
from clerk_app.services.common import PermissionDenied, ServiceError
from clerk_app.store.models import AuditLog, Operator
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    VILLAGE,
    VILLAGE2,
    MemoryKeys,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    make_township,
    pdf_text,
    principal,
    tools_present,
)


# --------------------------------------------------------------------------- domain


def test_commission_moves_only_forward():
    assert D.can_move(S.COMMISSIONED, S.COLLECTED)
    assert D.can_move(S.HANDED_OVER, S.SUPPLEMENT) and D.can_move(S.SUPPLEMENT, S.ACCEPTED)
    assert not D.can_move(S.ACCEPTED, S.COLLECTED)
    assert "不能撤销" in D.transition_problem(S.HANDED_OVER, S.CANCELLED)
    assert "已撤销" in D.transition_problem(S.CANCELLED, S.COLLECTED)
    assert D.furthest([S.COLLECTED, S.ACCEPTED, S.HANDED_OVER]) is S.ACCEPTED
    assert all(st.label for st in S)


def test_agent_status_rules():
    start, today = dt.date(2026, 1, 1), dt.date(2026, 12, 3)
    assert D.status_change_problem(AgentStatus.ACTIVE, AgentStatus.SUSPENDED, "", today, start, today)
    assert not D.status_change_problem(AgentStatus.ACTIVE, AgentStatus.SUSPENDED, "外出务工", today, start, today)
    assert "重新登记" in D.status_change_problem(AgentStatus.LEFT, AgentStatus.ACTIVE, "x", today, start, today)
    assert D.status_change_problem(AgentStatus.ACTIVE, AgentStatus.LEFT, "退休", dt.date(2025, 1, 1), start, today)


def test_numbers_and_typed_sheet_numbers():
    no = D.make_sheet_no("10101007", dt.date(2026, 12, 3), 1, 1)
    assert no.startswith("J10101007-261203-101-")
    parsed, problem = D.parse_sheet_no(" j10101007 261203 101 " + no[-1].lower())
    assert parsed and parsed.canonical == no and not problem
    wrong = no[:-3] + ("2" if no[-3] != "2" else "3") + no[-2:]
    assert "校验位" in D.parse_sheet_no(wrong)[1]
    assert D.parse_sheet_no("hello")[0] is None
    assert D.make_commission_no("10101007", dt.date(2026, 12, 3), 2, 7) == "10101007-261203-207"
    assert D.make_agent_no("420528101000", 1, 7) == "10101007"


def test_scope_and_validity():
    assert D.scope_problem(["fill"]) and not D.scope_problem(D.DEFAULT_SCOPES)
    assert D.scopes_from_mask(D.scope_mask(["submit", "collect"])) == ["submit", "collect"]
    assert D.validity_problem(dt.date(2026, 12, 3), dt.date(2026, 12, 1))
    assert D.validity_problem(dt.date(2026, 1, 1), dt.date(2027, 6, 1))


def test_handover_limit_counts_working_days():
    cal = WorkCalendar(source=None)
    thursday = dt.date(2026, 12, 3)
    # 3 working days after a Thursday: Friday, Monday, Tuesday
    assert D.handover_due(thursday, cal).date == dt.date(2026, 12, 8)
    assert D.handover_state(thursday, dt.date(2026, 12, 7), cal)[0] == "normal"
    assert D.handover_state(thursday, dt.date(2026, 12, 8), cal)[0] == "approaching"
    assert D.handover_state(thursday, dt.date(2026, 12, 9), cal)[0] == "overdue"


# --------------------------------------------------------------------------- QR codec


def _payload(n: int, mode: int = handover.MODE_FULL) -> handover.SheetPayload:
    states = [MaterialState.BOTH, MaterialState.COPY, MaterialState.ORIGINAL, MaterialState.NOT_APPLICABLE,
              MaterialState.NOT_APPLICABLE, MaterialState.COPY, MaterialState.MISSING]
    comms = [handover.QrCommission(
        f"10101007-261203-1{i + 1:02d}", bytes(range(i, i + 6)), digest=bytes(8) if mode == 2 else b"",
        id_type="resident_id", id_number="42052819550312001X"[:17] + "0", name="欧阳𠮷·买买提",
        phone="0717-5321234", village=1, valid_until=dt.date(2027, 3, 3), collected_on=dt.date(2026, 12, 3),
        scope=list(D.DEFAULT_SCOPES), subdelegation=bool(i % 2), materials=states) for i in range(n)]
    return handover.SheetPayload(mode, "10101007", 1, D.SheetNo("10101007", dt.date(2026, 12, 3), 1, 1),
                                 dt.datetime(2026, 12, 3, 10, 0), comms)


def test_qr_codec_round_trip_and_size():
    seed, public = agents.new_signing_key()
    text = handover.encode(_payload(6), seed)
    # six commissions with long names, landlines and seven materials each still fit a version
    # 17 code (742 alphanumeric characters at level M)
    assert set(text[5:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") and len(text) <= 742
    p = handover.decode(text.lower())  # a scanner typing with Caps Lock on
    assert agents.verify(public, p.signed, p.signature)
    assert p.sheet_no == D.make_sheet_no("10101007", dt.date(2026, 12, 3), 1, 1)
    q = p.commissions[5]
    assert q.name == "欧阳𠮷·买买提" and q.phone == "0717-5321234" and q.subdelegation
    assert q.materials[-1] is MaterialState.MISSING and q.scope == list(D.DEFAULT_SCOPES)
    digest = handover.encode(_payload(20, handover.MODE_DIGEST), seed)
    assert len(digest) < 800 and len(handover.decode(digest).commissions) == 20
    with pytest.raises(ValueError):
        handover.decode(text[:-10])
    with pytest.raises(ValueError):
        handover.decode("J10101007-261203-101-5")


# --------------------------------------------------------------------------- registry


def test_registry_rules(tmp_path, clock):
    town = make_township(tmp_path / "t", clock)
    with pytest.raises(PermissionDenied):
        agents.register_agent(town.ctx, town.clerk, agent_input())
    with pytest.raises(ServiceError, match="不属于本乡镇"):
        agents.register_agent(town.ctx, town.supervisor, agent_input(villages=["420528102201"]))
    a = agents.register_agent(town.ctx, town.supervisor, agent_input(villages=[VILLAGE, VILLAGE2]))
    with pytest.raises(ServiceError, match="已登记为代办员"):
        agents.register_agent(town.ctx, town.supervisor, agent_input(username="other"))
    b = agents.register_agent(town.ctx, town.supervisor, agent_input(
        name="王德兵", id17="42052819680505003", username="wangdebing", villages=[VILLAGE2]))
    assert b.agent_no == str(int(a.agent_no) + 1)
    roster = agents.roster(town.ctx)
    assert [(g.name, [x.name for x in g.agents]) for g in roster] == [
        ("湖口社区居委会", ["李秀英"]), ("龙门社区居委会", ["李秀英", "王德兵"])]

    with pytest.raises(ServiceError, match="原因"):
        agents.change_status(town.ctx, town.supervisor, a.id, AgentStatus.SUSPENDED, "")
    agents.change_status(town.ctx, town.supervisor, a.id, AgentStatus.SUSPENDED, "外出务工三个月")
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)  # a suspended agent still logs in ...
    with pytest.raises(ServiceError, match="暂停"):  # ... but takes no new commission
        commissions.create(town.ctx, me, commissions.CommissionInput(item_named(town.ctx).id, principal(), place="群众家中"))
    agents.change_status(town.ctx, town.supervisor, a.id, AgentStatus.LEFT, "本人辞职",
                         clock().date() + dt.timedelta(days=3))
    with pytest.raises(ServiceError, match="用户名或密码"):
        auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)
    history = agents.get_agent(town.ctx, a.id).status_changes
    assert [(h.status, h.reason) for h in history][1:] == [("suspended", "外出务工三个月"), ("left", "本人辞职")]
    with pytest.raises(ServiceError, match="离任"):
        agents.export_provisioning(town.ctx, town.supervisor, a.id)

    edited = agents.update_agent(town.ctx, town.supervisor, b.id, agents.AgentInput(
        name="王德兵", id_number=b.id_number, phone="0717-5321888", villages=[VILLAGE], grid="第三网格",
        start_date=b.start_date))
    assert edited.phone == "0717-5321888" and edited.grid == "第三网格" and edited.version == 2
    with town.ctx.tx() as s:
        assert s.scalar(select(Operator.phone).where(Operator.username == "wangdebing")) == "0717-5321888"


def test_registry_documents(tmp_path, clock):
    if not tools_present():
        pytest.skip("needs poppler-utils")
    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input(villages=[VILLAGE, VILLAGE2]))
    text = pdf_text(agents.card_pdf(town.ctx, town.supervisor, a.id), tmp_path / "card")
    assert "代办员证" in text and "李秀英" in text and a.agent_no in text
    roster = pdf_text(agents.roster_pdf(town.ctx, town.supervisor), tmp_path / "roster")
    assert "代办员花名册" in roster and "湖口社区居委会" in roster and a.id_number not in roster
    assert a.id_number[:6] + "********" in roster


def test_provisioning_refusals(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    with pytest.raises(ServiceError, match="乡镇窗口电脑"):
        agents.import_provisioning(town.ctx, prov.content, prov.code, keys)
    with pytest.raises(ServiceError, match="不是代办员配置文件"):
        agents.read_provisioning_header(b"{}")
    laptop = make_laptop(tmp_path / "l", clock)
    with pytest.raises(ServiceError, match="钥匙串"):
        agents.import_provisioning(laptop, prov.content, prov.code, agents.KeyStore(_NullKeys()))
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    # a second export (a new laptop, say) makes a new key and a new terminal; old keys stay
    again = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    assert again.terminal == 2
    assert set(agents.get_agent(town.ctx, a.id).public_keys) == {"1", "2"}
    agents.import_provisioning(laptop, again.content, again.code, keys)
    with laptop.tx() as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "agent_provisioned_here"))


class _NullKeys(MemoryKeys):
    def set_password(self, service: str, username: str, password: str) -> None:
        pass


# --------------------------------------------------------------------------- overdue and counts


def test_overdue_handover_is_flagged_to_agent_and_township(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    me = auth.login(town.ctx, "lixiuying", AGENT_PASSWORD)  # the agent working at the township PC
    item = item_named(town.ctx)
    late = commissions.create(town.ctx, me, commissions.CommissionInput(item.id, principal(), place="群众家中"))
    commissions.collect(town.ctx, me, late.id, all_collected(late), "群众家中")
    clock.advance(days=6)  # Thursday + 6 days = Wednesday: 4 working days later
    fresh = commissions.create(town.ctx, me, commissions.CommissionInput(
        item.id, principal(name="李四", id17="42052819600101004"), place="群众家中"))
    commissions.collect(town.ctx, me, fresh.id, all_collected(fresh), "村便民服务室")

    home = commissions.agent_home(town.ctx, me)
    assert [r.commission_no for r in home.overdue] == [late.commission_no]
    assert home.due[0].handover_state == "overdue" and home.due[1].handover_state == "normal"
    view = commissions.township_overview(town.ctx, town.clerk, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [r.commission_no for r in view.overdue] == [late.commission_no]
    [counts] = view.per_agent
    assert (counts.commissions, counts.open, counts.overdue, counts.handed_over) == (2, 2, 1, 0)
    # the limit is the county's setting
    with town.ctx.tx() as s:
        agents.HANDOVER_LIMIT.set(s, 10)
    assert commissions.agent_home(town.ctx, me).overdue == []


def test_supplement_at_the_township_then_accept(tmp_path, clock, keys):
    """The township finds a material missing at the counter: one-time notice, then accept."""
    from clerk_app.services import intake

    town = make_township(tmp_path / "t", clock)
    agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    a = agents.list_agents(town.ctx)[0]
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    first = next(m for m in c.materials if m.required)
    got = handover.receive(town.ctx, town.clerk, sheet.payload, {c.commission_no: {first.seq: "missing"}})
    assert got.missing == {c.commission_no: [first.name]}
    form = commissions.intake_form(town.ctx, town.clerk, got.commission_ids[0])
    assert form.lines[0].state is MaterialState.MISSING and form.channel == "proxy"
    out = intake.issue_notice(town.ctx, town.clerk, form)
    assert commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0]).state == S.SUPPLEMENT
    form.lines[0].state = form.lines[0].expected_state()
    intake.supplement(town.ctx, town.clerk, out.case_id, form.lines, "accept")
    tc = commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0])
    assert tc.state == S.ACCEPTED and tc.case_no == out.case_no
    # the same commission cannot be accepted twice, nor for another person
    with pytest.raises(ServiceError, match="只有已交件"):
        commissions.intake_form(town.ctx, town.clerk, tc.id)


def test_intake_checks_the_principal(tmp_path, clock, keys):
    from clerk_app.services import intake
    from tests.core.helpers import person

    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    got = handover.receive(town.ctx, town.clerk, sheet.payload)
    form = commissions.intake_form(town.ctx, town.clerk, got.commission_ids[0])
    form.applicant = person(name="王五", id17="42052819600101004")
    with pytest.raises(ServiceError, match="委托人"):
        intake.accept(town.ctx, town.clerk, form)
    assert commissions.get_commission(town.ctx, town.clerk, got.commission_ids[0]).case_no is None


def test_sheet_refusals(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    made = []
    for i in range(7):
        c = commissions.create(laptop, me, commissions.CommissionInput(
            item_named(laptop).id, principal(name="张" + "一二三四五六七"[i], id17=f"420528195503120{i + 10:02d}"), place="群众家中"))
        commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
        made.append(c.id)
    sheets = handover.create_sheets(laptop, me, made)
    assert [len(s.commission_nos) for s in sheets] == [6, 1]  # full mode: at most 6 a sheet

    # an unknown sheet number (never synced): scan the QR code instead
    with pytest.raises(handover.SheetRefused, match="二维码") as unknown:
        handover.scan(town.ctx, town.clerk, sheets[1].sheet_no)
    assert unknown.value.reason == "unknown_sheet"
    # a typo in a typed number
    with pytest.raises(handover.SheetRefused, match="校验位"):
        handover.scan(town.ctx, town.clerk, sheets[1].sheet_no[:-1] + ("0" if sheets[1].sheet_no[-1] != "0" else "1"))
    # a sheet signed with another key (someone else's laptop, or a forged one)
    forged_seed, _public = agents.new_signing_key()
    p = handover.decode(sheets[1].payload)
    with pytest.raises(handover.SheetRefused, match="校验失败"):
        handover.scan(town.ctx, town.clerk, handover.encode(p, forged_seed))
    handover.receive(town.ctx, town.clerk, sheets[0].payload)
    with pytest.raises(handover.SheetRefused, match="不能重复接收"):
        handover.receive(town.ctx, town.clerk, sheets[0].payload)
    with town.ctx.tx() as s:
        reasons = [r.detail["reason"] for r in s.scalars(select(AuditLog).where(
            AuditLog.action == "handover_refused"))]
    assert reasons == ["unknown_sheet", "unreadable", "tampered", "reused"]


def test_cli_sets_up_a_laptop_from_the_provisioning_file(tmp_path, clock, keys, capsys):
    from clerk_app import cli

    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    file = tmp_path / "usb" / prov.file_name
    file.parent.mkdir()
    file.write_bytes(prov.content)
    laptop_dir = tmp_path / "laptop-data"
    assert cli.main(["--data-dir", str(laptop_dir), "admin", "import-agent", str(file), "--code", "WRONG"]) == 1
    assert "提取码" in capsys.readouterr().err
    assert cli.main(["--data-dir", str(laptop_dir), "admin", "import-agent", str(file), "--code", prov.code]) == 0
    assert "lixiuying" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(laptop_dir), "admin", "list-agents"]) == 0
    assert a.agent_no in capsys.readouterr().out


def test_a_full_sheet_of_six_reads_back_from_paper(tmp_path, clock, keys):
    """Six commissions with long names (the largest full-mode code) still decode from the PDF."""
    if not tools_present():
        pytest.skip("needs poppler-utils and zbar-tools")
    from tests.core.test_agents_support import read_qr

    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    made = []
    for i in range(6):
        c = commissions.create(laptop, me, commissions.CommissionInput(
            item_named(laptop).id, principal(name="欧阳𠮷·买买提" + "一二三四五六"[i],
                                             id17=f"420528195503120{i + 10:02d}"), place="群众家中"))
        commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
        made.append(c.id)
    [sheet] = handover.create_sheets(laptop, me, made)
    text = read_qr(handover.sheet_pdf(laptop, me, sheet.id), tmp_path / "scan")
    assert text == sheet.payload
    preview = handover.scan(town.ctx, town.clerk, text)
    assert [c.principal_name for c in preview.commissions][0] == "欧阳𠮷·买买提一"


def test_a_late_handover_is_said_at_the_counter(tmp_path, clock, keys):
    town = make_township(tmp_path / "t", clock)
    a = agents.register_agent(town.ctx, town.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    assert handover.scan(town.ctx, town.clerk, sheet.payload).warnings == []
    clock.advance(days=6)
    [warning] = handover.scan(town.ctx, town.clerk, sheet.payload).warnings
    assert "超期交件" in warning
    handover.receive(town.ctx, town.clerk, sheet.payload)
    view = commissions.township_overview(town.ctx, town.clerk, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert (view.per_agent[0].handed_over, view.per_agent[0].on_time) == (1, 0)


def test_a_laptop_keeps_only_its_own_agents_records(tmp_path, clock, keys):
    """The township's feed carries every agent and their citizens; a laptop takes its own only."""
    town = make_township(tmp_path / "t", clock)
    mine = agents.register_agent(town.ctx, town.supervisor, agent_input())
    other = agents.register_agent(town.ctx, town.supervisor, agent_input(
        name="王德兵", id17="42052819680505003", username="wangdebing"))
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town.ctx, town.supervisor, mine.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    theirs = auth.login(town.ctx, "wangdebing", AGENT_PASSWORD)
    c = commissions.create(town.ctx, theirs, commissions.CommissionInput(item_named(town.ctx).id, principal(), place="群众家中"))
    with town.ctx.tx() as s:
        other_payload = agents.agent_payload(s.get(type(other), other.id))
        c_payload = commissions.commission_payload(commissions._load(s, c.id))
        mine_payload = agents.agent_payload(s.get(type(mine), mine.id)) | {"version": 99, "phone": "13907179999"}
    with laptop.tx() as s:
        assert agents.apply_feed_entry(s, clock(), "agent", other_payload) == "skipped"
        assert agents.apply_feed_entry(s, clock(), "commission", c_payload) == "skipped"
        assert agents.apply_feed_entry(s, clock(), "agent", mine_payload) == "applied"
    assert [a.name for a in agents.list_agents(laptop)] == ["李秀英"]
    assert agents.list_agents(laptop)[0].phone == "13907179999"


def test_roster_file_brings_agents_and_keys_to_another_counter(tmp_path, clock, keys):
    """Two counters of one township, no sync: the roster file carries agents and public keys,
    so a sheet verifies at the other counter too."""
    town1 = make_township(tmp_path / "t1", clock)
    town2 = make_township(tmp_path / "t2", clock)
    a = agents.register_agent(town1.ctx, town1.supervisor, agent_input())
    laptop = make_laptop(tmp_path / "l", clock)
    prov = agents.export_provisioning(town1.ctx, town1.supervisor, a.id)
    agents.import_provisioning(laptop, prov.content, prov.code, keys)
    me = auth.login(laptop, "lixiuying", AGENT_PASSWORD)
    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(), place="群众家中"))
    commissions.collect(laptop, me, c.id, all_collected(c), "群众家中")
    [sheet] = handover.create_sheets(laptop, me, [c.id])
    with pytest.raises(handover.SheetRefused, match="没有代办员"):
        handover.scan(town2.ctx, town2.clerk, sheet.payload)
    content = agents.export_roster_file(town1.ctx, town1.clerk)
    assert b'"seed"' not in content
    with pytest.raises(PermissionDenied):
        agents.import_roster_file(town2.ctx, town2.clerk, content)
    assert agents.import_roster_file(town2.ctx, town2.supervisor, content) == 1
    assert handover.scan(town2.ctx, town2.clerk, sheet.payload).agent_name == "李秀英"
