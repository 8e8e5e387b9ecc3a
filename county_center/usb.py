"""Import a device's outbox file brought on a USB stick; write its acknowledgement file.

Same guarantees as the network push (it calls the same ``service.push``): each record at
most once, in order per case, per-record answers. The acknowledgement file also carries what
the device would have pulled after the cursor it stated, so one trip brings both back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from county_center import protocol as P
from county_center import service
from county_center.db import CountyDB
from county_center.models import Device
from county_center.service import CountyError

OUTBOX_FORMAT = "clerk-app-outbox"
ACKS_FORMAT = "county-center-acks"
MAX_ENTRIES = 20_000


def _canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "mac"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _mac(doc: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _canonical(doc), hashlib.sha256).hexdigest()


def import_file(db: CountyDB, path: Path, acks_path: Path) -> str:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CountyError("bad_file", f"无法读取文件 {path}：{exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != OUTBOX_FORMAT:
        raise CountyError("bad_file", f"{path} 不是服务点导出的待上传文件。")
    proto = doc.get("protocol")
    if not (isinstance(proto, int) and P.MIN_PROTOCOL_VERSION <= proto <= P.MAX_PROTOCOL_VERSION):
        raise CountyError("protocol_version",
                          f"文件的同步协议版本 {proto} 不受支持（县级中心支持 {P.MIN_PROTOCOL_VERSION}–{P.MAX_PROTOCOL_VERSION}）。")
    with db.tx() as s:
        device = s.get(Device, str(doc.get("device_id")))
        if device is None:
            raise CountyError("unknown_device", "文件来自未注册的设备。")
        key = device.token_hash.encode("ascii")
        if not hmac.compare_digest(str(doc.get("mac")), _mac(doc, key)):
            raise CountyError("bad_mac", "文件校验失败（内容被改动或不是该设备导出的），未导入任何内容。")
        service.authenticate_device(device)
        device_id = device.id
    records = [r for r in doc.get("records") or []]
    results: list[dict[str, Any]] = []
    for i in range(0, len(records), P.MAX_BATCH_RECORDS):
        results += service.push(db, device_id, records[i : i + P.MAX_BATCH_RECORDS], via="usb")
    for rec, res in zip(records, results):  # one answer per record, in the same order
        attempt = rec.get("attempt") if isinstance(rec, dict) else None
        if isinstance(attempt, str) and res.get("record_id") == rec.get("record_id"):
            res["attempt"] = attempt[:64]  # which attempt of the record this answers
    with db.tx() as s:
        device = s.get(Device, device_id)
        entries, cursor, more = service.pull(s, device, int(doc.get("cursor") or 0), MAX_ENTRIES)
    acks = {"format": ACKS_FORMAT, "version": 1, "protocol": P.PROTOCOL_VERSION,
            "device_id": device_id, "created_at": service.utcnow().isoformat(),
            "results": results, "entries": entries, "cursor": cursor, "more": more}
    acks["mac"] = _mac(acks, key)
    tmp = acks_path.with_name(acks_path.name + ".part")
    tmp.write_text(json.dumps(acks, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, acks_path)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return (f"已导入 {len(records)} 条：接收 {counts.get('applied', 0)}，重复 {counts.get('duplicate', 0)}，"
            f"拒收 {counts.get('rejected', 0)}，暂缓 {counts.get('deferred', 0)}；回执（含 {len(entries)} 条下发信息）"
            f"已写入 {acks_path}。")
