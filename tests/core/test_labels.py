"""Every action the program records, and every detail key, has Chinese words.

The actions are collected from the source: the ``action`` argument of every ``audit(...)``,
``_event(...)`` and ``CaseEvent(...)`` call in the township's code (clerk_app), including the
``f"agent_{op}"`` and ``f"commission_{op}"`` families whose ``op`` comes from the callers.
A new action written without a label fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from clerk_app import settings
from clerk_app.domain import labels
from clerk_app.domain.agents import CommissionState

PACKAGE = Path(__file__).resolve().parents[2] / "clerk_app"
CJK = re.compile(r"[\u4e00-\u9fff]")
# calls whose 5th positional argument (or op=) is the {op} of an f"<prefix>_{op}" audit action
OP_WRAPPERS = {"_changed": "agent_", "changed": "commission_"}


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui" or "migrations" in rel.parts:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _constants(node: ast.AST | None) -> list[str] | None:
    """The strings an argument can be: a constant or a conditional of constants; None if not."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _constants(node.body), _constants(node.orelse)
        return None if a is None or b is None else a + b
    return None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def collect() -> tuple[set[str], set[str], set[str]]:
    """(audit actions, case event actions, detail keys) used in clerk_app."""
    audit_actions: set[str] = set()
    event_actions: set[str] = set()
    keys: set[str] = set()
    prefixes: set[str] = set()
    ops: dict[str, set[str]] = {p: set() for p in OP_WRAPPERS.values()}
    dynamic_ops: set[str] = set()
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node)
            if name == "audit" and rel.name != "common.py":
                action = _arg(node, 3, "action")
                found = _constants(action)
                if found is not None:
                    audit_actions.update(found)
                elif isinstance(action, ast.JoinedStr):
                    prefix = action.values[0]
                    assert isinstance(prefix, ast.Constant), (rel, node.lineno)
                    prefixes.add(prefix.value)
                else:
                    pytest.fail(f"{rel}:{node.lineno}: audit action that cannot be read: "
                                f"{ast.unparse(action)}")
            elif name == "_event":
                found = _constants(_arg(node, 3, "action"))
                assert found is not None, (rel, node.lineno)
                event_actions.update(found)
            elif name == "CaseEvent":
                action = _arg(node, 99, "action")
                if isinstance(action, ast.Name) and action.id == "action":
                    continue  # _event's own body: its callers are collected above
                found = _constants(action)
                assert found is not None, (rel, node.lineno)
                event_actions.update(found)
                detail = _arg(node, 99, "detail")
                if isinstance(detail, ast.Dict):
                    keys.update(k.value for k in detail.keys if isinstance(k, ast.Constant))
            elif name in OP_WRAPPERS and rel.name in ("agents.py", "commissions.py", "handover.py"):
                op = _arg(node, 4, "op")
                found = _constants(op)
                if found is None:
                    dynamic_ops.add(OP_WRAPPERS[name])
                else:
                    ops[OP_WRAPPERS[name]].update(found)
            if name in ("audit", "_event", *OP_WRAPPERS):
                keys.update(kw.arg for kw in node.keywords if kw.arg and kw.arg not in ("action", "op"))
    assert prefixes == set(OP_WRAPPERS.values()), prefixes
    for prefix, names in ops.items():
        audit_actions.update(prefix + op for op in names)
    # commissions.changed(..., state.value): any state of a commission can be the op
    assert dynamic_ops <= {"commission_"}, dynamic_ops
    if dynamic_ops:
        audit_actions.update(f"commission_{s.value}" for s in CommissionState)
    # the sync settings that sync_settings_changed records as keys
    keys.update(v.key for v in settings.ALL if v.key.startswith("sync."))
    return audit_actions, event_actions, keys


AUDIT_ACTIONS, EVENT_ACTIONS, DETAIL_KEYS = collect()


def test_the_walk_found_the_known_families():
    assert {"login", "document_reprinted", "agent_status", "commission_cancelled",
            "handover_received", "sync_settings_changed"} <= AUDIT_ACTIONS
    assert {"accepted", "done_on_spot", "county_decision", "submitted"} <= EVENT_ACTIONS
    assert {"county_status", "county_version", "by", "paper", "target", "status"} <= DETAIL_KEYS


@pytest.mark.parametrize("action", sorted(AUDIT_ACTIONS))
def test_every_audit_action_has_a_chinese_label(action):
    assert action in labels.AUDIT_ACTION_LABELS
    assert CJK.search(labels.audit_action_label(action))


@pytest.mark.parametrize("action", sorted(EVENT_ACTIONS))
def test_every_case_event_has_a_chinese_label(action):
    assert action in labels.CASE_EVENT_LABELS
    assert CJK.search(labels.case_event_label(action))


@pytest.mark.parametrize("key", sorted(DETAIL_KEYS))
def test_every_detail_key_has_a_chinese_label(key):
    assert key in labels.DETAIL_LABELS
    assert CJK.search(labels.detail_label(key))


def test_coded_values_read_as_words():
    assert labels.details({"status": "done_on_spot"}) == [("状态", "即办办结")]
    assert labels.details({"paper": "a4", "target": "HP LaserJet"}) == [
        ("纸张", "A4 纸"), ("打印到", "HP LaserJet")]
    assert labels.detail_value("paper", "r80") == "80 毫米小票"
    assert labels.details({"county_status": "completed", "county_version": 3, "official_no": None},
                          "county_decision") == [("县级办理状态", "已办结"), ("县级记录版本", "3")]
    assert labels.details({"by": "sync"}, "submitted") == [("经由", "自动同步")]
    assert labels.details({"old": "active", "new": "suspended"}, "agent_status") == [
        ("原状态", "在岗"), ("新状态", "暂停")]
    assert labels.details({"new": ["户口簿", "身份证"]}, "notice_reissued") == [
        ("新发现的问题", "户口簿、身份证")]
    assert labels.detail_value("state", "cancelled", "commission_from_sync") == "已撤销"
    assert labels.detail_value("state", "received", "handover_from_sync") == "乡镇已接收"
    assert labels.detail_value("reason", "tampered", "handover_refused") == "签名不符，内容可能被改动"
    assert labels.detail_value("role", "supervisor") == "负责人"
    assert labels.detail_value("sync.tls_verify", False) == "否"
    assert labels.detail_value("sync.interval_seconds", 300) == "5 分钟"


def test_unknown_codes_fall_back_without_failing():
    assert labels.audit_action_label("teleported") == "其他操作（teleported）"
    assert labels.case_event_label("teleported") == "其他操作（teleported）"
    assert labels.details({"colour": "blue", "status": "lost"}) == [("colour", "blue"), ("状态", "lost")]
    assert labels.detail_value("state", "nowhere", "commission_x") == "nowhere"
    assert labels.entity_label("spaceship") == "spaceship"
