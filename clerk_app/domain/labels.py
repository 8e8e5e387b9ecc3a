"""Chinese words for the codes the program records.

The history of a case (``CaseEvent.action``) and the audit log (``AuditLog.action``) store
short English codes, and their details are dictionaries with English keys and coded values
(``{"status": "done_on_spot", "paper": "a4"}``). Clerks read neither: every view turns them
into words here, so the case history and the audit log say the same thing the same way.

A code this table does not know (a newer program wrote it, or a test) is still shown, as
「其他操作（code）」 or the bare key, never as an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from clerk_app.domain.agents import AgentStatus, CommissionState
from clerk_app.domain.status import CaseStatus, Role
from clerk_app.i18n import _

# --- the history of a case (CaseEvent.action) --------------------------------------------

CASE_EVENT_LABELS: dict[str, str] = {
    "notice_issued": _("出具一次性告知书"),
    "notice_reissued": _("补充告知（再次出具告知书）"),
    "supplemented": _("补正材料"),
    "accepted": _("受理，出具受理回执"),
    "done_on_spot": _("即办，当场办结"),
    "refused": _("不予受理"),
    "withdrawn": _("撤回"),
    "submitted": _("报送县级部门"),
    "county_decision": _("县级部门办理结果"),
    "due_recalculated": _("工作日历更新，重新计算办理期限"),
    # written by earlier versions
    "in_review": _("县级部门审核"),
    "completed": _("办结"),
    "not_approved": _("不予批准"),
    "delivered": _("结果送达"),
}
# events written by the county's side (no operator of this township)
COUNTY_EVENT_ACTIONS = frozenset({"county_decision", "in_review", "completed", "not_approved"})

# --- the audit log (AuditLog.action) -----------------------------------------------------

_COMMISSION_STEP_LABELS: dict[str, str] = {
    CommissionState.COMMISSIONED.value: _("代办：登记委托"),
    CommissionState.COLLECTED.value: _("代办：收取材料"),
    CommissionState.HANDED_OVER.value: _("代办：材料交到乡镇"),
    CommissionState.SUPPLEMENT.value: _("代办：乡镇要求补正"),
    CommissionState.ACCEPTED.value: _("代办：乡镇已受理"),
    CommissionState.COMPLETED.value: _("代办：已办结"),
    CommissionState.NOT_APPROVED.value: _("代办：不予批准"),
    CommissionState.REFUSED.value: _("代办：不予受理"),
    CommissionState.RETURNED.value: _("代办：结果交还群众"),
    CommissionState.CLOSED.value: _("代办：办结归档"),
    CommissionState.CANCELLED.value: _("代办：取消委托"),
}

AUDIT_ACTION_LABELS: dict[str, str] = {
    # operators and log-in
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "locked_out": _("账号锁定"),
    "operator_created": _("新增操作员"),
    "operator_active": _("启用操作员"),
    "operator_disabled": _("停用操作员"),
    "operator_unlocked": _("解锁操作员"),
    "password_changed": _("修改密码"),
    "operator_from_county": _("县级中心下发操作员"),
    # set-up, catalog, calendar
    "service_point_set_up": _("设置服务点"),
    "catalog_imported": _("导入事项清单"),
    "calendar_override_set": _("调整工作日"),
    "calendar_override_removed": _("删除工作日调整"),
    "calendar_year_complete": _("标记全年节假日已全部录入"),
    "calendar_year_incomplete": _("取消全年节假日已全部录入"),
    "calendar_year_from_county": _("县级中心下发全年节假日已全部录入"),
    # cases and documents
    "case_accepted": _("受理"),
    "case_refused": _("不予受理"),
    "case_supplemented": _("补正"),
    "case_withdrawn": _("撤回"),
    "case_due_recalculated": _("重新计算办理期限"),
    "notice_issued": _("出具一次性告知书"),
    "notice_reissued": _("重新出具告知书"),
    "document_printed": _("打印文书"),
    "document_reprinted": _("补打文书"),
    "document_saved": _("文书另存为 PDF"),
    "document_saved_copy": _("文书另存为 PDF（补打副本）"),
    # sync with the county center
    "sync_settings_changed": _("修改同步设置"),
    "device_enrolled": _("本机注册到县级中心"),
    "sync_record_resent": _("修改后重新上传"),
    "sync_record_discarded": _("放弃上报被拒收的记录"),
    "sync_conflict_resolved": _("处理同步冲突"),
    "outbox_exported": _("导出待上传记录（U 盘）"),
    "acks_imported": _("导入县级中心回执（U 盘）"),
    "setting_from_county": _("县级中心下发设置"),
    # agents (代办员)
    "agent_registered": _("登记代办员"),
    "agent_updated": _("修改代办员信息"),
    "agent_status": _("变更代办员状态"),
    "agent_provisioned": _("导出代办员电脑配置"),
    "agent_from_sync": _("同步代办员信息"),
    "agent_provisioned_here": _("本机设置为代办员电脑"),
    "agent_roster_imported": _("导入代办员名单"),
    "agent_card_printed": _("打印代办员证"),
    "handover_limit_set": _("设置交接期限"),
    # commissions (代办件) and handover sheets
    **{f"commission_{state}": label for state, label in _COMMISSION_STEP_LABELS.items()},
    "commission_materials": _("代办：核对材料"),
    "commission_collect_partial": _("代办：材料未收齐"),
    "commission_notice_printed": _("代办：打印告知单"),
    "commission_authorization_printed": _("代办：打印委托书"),
    "commission_from_sync": _("同步代办件"),
    "handover_issued": _("出具交接单"),
    "handover_printed": _("打印交接单"),
    "handover_reprinted": _("补打交接单"),
    "handover_refused": _("拒收交接单"),
    "handover_received": _("接收交接单"),
    "handover_from_sync": _("同步交接单"),
    "handover_replaced": _("交接单作废重出"),
    "handover_at_counter": _("窗口交件"),
}

ENTITY_LABELS: dict[str, str] = {
    "operator": _("操作员"),
    "catalog_version": _("事项清单"),
    "calendar": _("工作日历"),
    "service_point": _("服务点"),
    "case": _("办件"),
    "case_status": _("办件"),
    "document": _("文书"),
    "agent": _("代办员"),
    "commission": _("代办件"),
    "handover": _("交接单"),
    "setting": _("设置"),
    "settings": _("设置"),
    "device": _("本机"),
    "outbox": _("待上传记录"),
}

# --- details: keys ----------------------------------------------------------------------

DETAIL_LABELS: dict[str, str] = {
    # cases
    "document": _("文书"),
    "missing": _("缺少或有误"),
    "arrived": _("补交"),
    "new": _("新发现的问题"),
    "reason": _("原因"),
    "method": _("方式"),
    "status": _("状态"),
    "by": _("经由"),
    "county_status": _("县级办理状态"),
    "county_version": _("县级记录版本"),
    "official_no": _("县级办件编号"),
    "result": _("办理结果"),
    "paper": _("纸张"),
    "target": _("打印到"),
    # operators, set-up, catalog, calendar
    "username": _("用户名"),
    "role": _("角色"),
    "active": _("状态"),
    "source": _("来源文件"),
    "added": _("新增"),
    "updated": _("更新"),
    "removed": _("停用"),
    "unchanged": _("未变"),
    "device_no": _("本机编号"),
    "is_workday": _("调整为"),
    "note": _("原因"),
    "complete": _("全年节假日已全部录入"),
    "old_due_date": _("原承诺办结日期"),
    "due_date": _("承诺办结日期"),
    "old_legal_due_date": _("原法定办结日期"),
    "legal_due_date": _("法定办结日期"),
    "due_estimated": _("期限按周一至周五估算"),
    # sync
    "url": _("县级中心地址"),
    "previous": _("原设备标识"),
    "tls_verify": _("校验 TLS 证书"),
    "record_id": _("记录标识"),
    "fixed": _("修改的内容"),
    "renumbered": _("顺序号前移的后续改动"),
    "take": _("处理方式"),
    "records": _("记录数"),
    "applied": _("已确认"),
    "rejected": _("被拒收"),
    "pulled": _("已下载"),
    "sync.url": _("县级中心地址"),
    "sync.interval_seconds": _("自动同步间隔"),
    "sync.tls_verify": _("校验 TLS 证书"),
    "sync.ca_bundle": _("CA 证书"),
    "sync.batch_size": _("每批上传记录数"),
    # agents, commissions, handover sheets
    "name": _("姓名"),
    "old": _("原状态"),
    "effective": _("生效日期"),
    "terminal": _("终端号"),
    "key_serial": _("密钥序号"),
    "created_by": _("配置人"),
    "version": _("版本"),
    "value": _("设定值"),
    "local": _("来源"),
    "item": _("事项"),
    "place": _("地点"),
    "how": _("办结方式"),
    "case_no": _("办件编号"),
    "sheet": _("交接单"),
    "state": _("状态"),
    "origin": _("来源"),
    "commissions": _("代办件"),
    "agent": _("代办员"),
    "mode": _("交接单格式"),
    "replaced_by": _("由新交接单代替"),
    "warnings": _("提示"),
}
# the same key meaning something else in one action
_ACTION_DETAIL_LABELS: dict[tuple[str, str], str] = {
    ("agent_status", "new"): _("新状态"),
    ("commission_materials", "missing"): _("缺少或有误的材料数"),
    ("commission_collect_partial", "missing"): _("缺少或有误的材料数"),
}

# --- details: values ---------------------------------------------------------------------

PAPER_LABELS: dict[str, str] = {"a4": _("A4 纸"), "r80": _("80 毫米小票")}
HANDOVER_STATE_LABELS: dict[str, str] = {
    "issued": _("已出具"),
    "delivered": _("已交给代办员"),
    "received": _("乡镇已接收"),
    "replaced": _("已作废重出"),
}
HANDOVER_REFUSAL_LABELS: dict[str, str] = {
    "unreadable": _("无法识读"),
    "unknown_sheet": _("查无此交接单"),
    "unknown_agent": _("查无此代办员"),
    "unknown_key": _("签名密钥未知"),
    "tampered": _("签名不符，内容可能被改动"),
    "reused": _("交接单已用过"),
    "details_missing": _("缺少明细"),
    "mismatch": _("内容与登记不符"),
    "unknown_item": _("事项不在清单中"),
    "already_handed_over": _("材料已交接过"),
    "expired": _("超过交接期限"),
    "replaced": _("交接单已作废重出"),
    "on_sheet": _("已列入交接单，应扫码接收"),
    "agent_inactive": _("代办员已暂停或离任"),
}
_VIA_LABELS = {"sync": _("自动同步"), "agent": _("代办员登记"), "case": _("随办件办理")}
_TAKE_LABELS = {"county": _("采用县级中心的数据"), "local": _("保留本机的数据")}
_MODE_LABELS = {"full": _("完整"), "digest": _("摘要")}
_ORIGIN_LABELS = {"local": _("本机登记"), "sync": _("同步"), "sheet": _("交接单"), "usb": _("U 盘")}
_LOGIN_FAILURE_LABELS = {"unknown": _("用户名不存在或已停用")}


def case_event_label(action: str) -> str:
    """What happened to a case, e.g. 「即办，当场办结」 for ``done_on_spot``."""
    return CASE_EVENT_LABELS.get(action) or _other(action)


def audit_action_label(action: str) -> str:
    """An audit record's action, e.g. 「补打文书」 for ``document_reprinted``."""
    return AUDIT_ACTION_LABELS.get(action) or _other(action)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


def detail_label(key: str, action: str = "") -> str:
    return _ACTION_DETAIL_LABELS.get((action, key)) or DETAIL_LABELS.get(key, key)


def status_label(value: object) -> str:
    """A case status in words; an unknown one as it is."""
    try:
        return CaseStatus(str(value)).label
    except ValueError:
        return str(value)


def detail_value(key: str, value: Any, action: str = "", entity: str = "") -> str:
    """One detail's value in words: statuses, paper sizes, roles, yes/no, lists."""
    if key in ("status", "county_status", "from_status", "to_status"):
        return status_label(value)
    if key == "state":
        if entity == "commission" or action.startswith("commission_"):
            return _enum_label(CommissionState, value)
        if entity == "handover" or action.startswith("handover_"):
            return HANDOVER_STATE_LABELS.get(str(value), str(value))
        return status_label(value)
    if key in ("old", "new") and action == "agent_status":
        return _enum_label(AgentStatus, value)
    if key == "paper":
        return PAPER_LABELS.get(str(value), str(value))
    if key == "role":
        return _enum_label(Role, value)
    if key == "is_workday":
        return _("工作日") if value else _("休息日")
    if key == "active":
        return _("启用") if value else _("停用")
    if key == "local":
        return _("本机设定") if value else _("县级中心设定")
    if key == "by":
        return _VIA_LABELS.get(str(value), str(value))
    if key == "take":
        return _TAKE_LABELS.get(str(value), str(value))
    if key == "mode":
        return _MODE_LABELS.get(str(value), str(value))
    if key == "origin":
        return _ORIGIN_LABELS.get(str(value), str(value))
    if key == "reason" and action == "handover_refused":
        return HANDOVER_REFUSAL_LABELS.get(str(value), str(value))
    if key == "reason" and action == "login_failed":
        return _LOGIN_FAILURE_LABELS.get(str(value), str(value))
    if key == "value" and action in ("handover_limit_set", "setting_from_county"):
        return _("{n} 天").format(n=value)
    if key == "sync.interval_seconds" and isinstance(value, int):
        return _("{n} 分钟").format(n=value // 60) if value % 60 == 0 else _("{n} 秒").format(n=value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, tuple)):
        return _("、").join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def details(detail: Mapping[str, Any] | None, action: str = "",
            entity: str = "") -> list[tuple[str, str]]:
    """A record's details as (label, value) pairs in words; empty values are left out."""
    out = []
    for key, value in (detail or {}).items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        out.append((detail_label(key, action), detail_value(key, value, action, entity)))
    return out


def _enum_label(enum: type, value: object) -> str:
    try:
        return enum(str(value)).label
    except ValueError:
        return str(value)


def _other(action: str) -> str:
    return _("其他操作（{code}）").format(code=action) if action else "—"
