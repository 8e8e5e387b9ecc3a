"""Sync by file, for weeks with no network: export pending records for a USB stick; the
county imports them with the same guarantees and writes an acknowledgement file that comes
back the same way.

Both files are JSON with an HMAC-SHA256 over their content, keyed with the SHA-256 of the
device's token (the county stores exactly that hash): a file from another device, or one
changed on the way, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from clerk_app.i18n import _
from clerk_app.services.common import Context, ServiceError
from clerk_app.store.models import ServicePoint
from clerk_app.sync import apply as A
from clerk_app.sync import protocol as P
from clerk_app.sync import state as ST
from clerk_app.sync.engine import SyncReport, record_answers, record_json, sendable

OUTBOX_FORMAT = "clerk-app-outbox"
ACKS_FORMAT = "county-center-acks"
FILE_VERSION = 1


def attempt_token(row: Any) -> str:
    """Names one attempt of a record: its place, its content, and how many answers it had.

    Written beside each record in the export file and echoed by the county in each answer of
    the acknowledgement file. A record the clerk has corrected and queued again, renumbered
    after a discard, or answered since (over the network or by another file) has another
    token, so an old file's refusal cannot set the new attempt aside."""
    body = {"seq": row.entity_seq, "op": row.op, "payload": row.payload,
            "answers": int(row.attempts or 0)}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def current_answers(rows: list[Any], results: list[dict[str, Any]],
                    report: SyncReport) -> list[dict[str, Any]]:
    """The answers of an acknowledgement file that still apply to the records as they are now.

    'applied' and 'duplicate' always do: the county holds that record id, whatever came after.
    A refusal or a deferral applies only to the attempt it answers (same token); one for an
    earlier attempt is counted in ``report.stale`` and dropped (the record stays as it is, and
    its current attempt is judged afresh by the next push). An answer without a token (a
    county that predates them) is taken only for a record that never had an answer, the one
    attempt it can be about."""
    by_id = {r.record_id: r for r in rows}
    kept: list[dict[str, Any]] = []
    for res in results:
        row = by_id.get(str(res.get("record_id") or ""))
        if row is None or res.get("status") in (P.APPLIED, P.DUPLICATE):
            kept.append(res)
            continue
        token = res.get("attempt")
        fresh = (token == attempt_token(row)) if token is not None else not row.attempts
        if fresh:
            kept.append(res)
        elif row.state not in (P.SENT, P.DISCARDED):
            report.stale += 1
    return kept


def mac_key(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).hexdigest().encode("ascii")


def canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "mac"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(doc: dict[str, Any], key: bytes) -> dict[str, Any]:
    return doc | {"mac": hmac.new(key, canonical(doc), hashlib.sha256).hexdigest()}


def verify(doc: dict[str, Any], key: bytes) -> bool:
    mac = doc.get("mac")
    return isinstance(mac, str) and hmac.compare_digest(
        mac, hmac.new(key, canonical(doc), hashlib.sha256).hexdigest())


def write_atomically(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def export_outbox(ctx: Context, token: str, path: Path) -> int:
    """Write every sendable record (oldest first) to ``path``; returns how many.

    Records stay waiting until an acknowledgement (file or network) says the county has them.
    """
    with ctx.tx() as s:
        st = ST.read(s)
        sp = s.scalar(select(ServicePoint).limit(1))
        records: list[dict[str, Any]] = []
        after = 0
        while True:
            rows = sendable(s, after, 1000)
            if not rows:
                break
            records += [record_json(r) | {"attempt": attempt_token(r)} for r in rows]
            after = rows[-1].id
    doc = {"format": OUTBOX_FORMAT, "version": FILE_VERSION, "protocol": P.PROTOCOL_VERSION,
           "device_id": st.device_id, "division_code": sp.division_code if sp else "",
           "exported_at": ctx.clock().isoformat(), "cursor": st.cursor, "records": records}
    write_atomically(path, sign(doc, mac_key(token)))
    return len(records)


def read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ServiceError(_("找不到文件：{path}").format(path=path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServiceError(_("文件 {path} 已损坏或不是同步文件，请重新从县级中心拷回。").format(path=path)) from None
    if not isinstance(doc, dict):
        raise ServiceError(_("文件 {path} 不是同步文件。").format(path=path))
    return doc


def import_acks(ctx: Context, token: str, path: Path) -> SyncReport:
    """Apply an acknowledgement file from the county: record answers, then pulled data."""
    doc = read_json(path)
    if doc.get("format") != ACKS_FORMAT:
        raise ServiceError(_("文件 {path} 不是县级中心的回执文件。").format(path=path))
    proto, version = doc.get("protocol"), doc.get("version")
    if proto != P.PROTOCOL_VERSION or version != FILE_VERSION:
        raise ServiceError(_(
            "回执文件 {path} 使用第 {proto} 版同步协议（文件格式第 {version} 版），本程序只支持第 {mine} 版"
            "（文件格式第 {file_version} 版），未导入任何内容，待上传的记录都保留在本机。请升级窗口受理程序，"
            "或请县级中心按本程序支持的版本重新生成回执文件。").format(
                path=path, proto=proto if proto is not None else "?",
                version=version if version is not None else "?", mine=P.PROTOCOL_VERSION,
                file_version=FILE_VERSION))
    with ctx.tx() as s:
        device_id = ST.read(s).device_id
    if doc.get("device_id") != device_id:
        raise ServiceError(_("这个回执文件是给另一台电脑的（设备 {other}），不能导入本机。").format(
            other=doc.get("device_id")))
    if not verify(doc, mac_key(token)):
        raise ServiceError(_("回执文件校验失败（内容被改动或不是本机的回执），未导入任何内容。"))
    results = [r for r in doc.get("results") or [] if isinstance(r, dict)]
    report = SyncReport()
    now = ctx.clock()
    from clerk_app.store.models import OutboxRecord

    with ctx.tx() as s:
        for chunk in A._chunks(results):
            ids = [str(r.get("record_id")) for r in chunk]
            rows = s.execute(select(OutboxRecord.id, OutboxRecord.record_id, OutboxRecord.entity_key,
                                    OutboxRecord.entity_seq, OutboxRecord.op, OutboxRecord.payload,
                                    OutboxRecord.attempts, OutboxRecord.state)
                             .where(OutboxRecord.record_id.in_(ids))).all()
            acked = record_answers(s, now, rows, current_answers(rows, chunk, report), report)
            report.resolved += A.resolve_held(s, now, acked)
        entries = [e for e in doc.get("entries") or [] if isinstance(e, dict)]
        stats = A.apply_entries(s, now, entries)
        report.pulled = len(entries)
        report.held = stats["held"]
        cursor = int(doc.get("cursor") or 0)
        if cursor > ST.read(s).cursor:
            ST.put(s, ST.CURSOR, cursor)
    return report
