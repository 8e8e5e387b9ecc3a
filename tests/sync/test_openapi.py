"""The OpenAPI document describes the protocol that docs/sync.md explains."""

from __future__ import annotations

from pathlib import Path

from county_center import protocol
from county_center.api import create_app
from county_center.db import CountyDB

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"


def test_openapi_describes_the_versioned_protocol(tmp_path):
    db = CountyDB(f"sqlite:///{tmp_path / 'cc.sqlite3'}")
    spec = create_app(db).openapi()
    db.dispose()
    paths = spec["paths"]
    assert set(paths) >= {"/api/v1/info", "/api/v1/enrol", "/api/v1/push", "/api/v1/pull"}
    schemas = spec["components"]["schemas"]
    for name in ("RecordIn", "RecordResult", "PushOut", "PullOut", "EnrolIn", "EnrolOut", "ErrorBody"):
        assert name in schemas, name
    assert set(schemas["RecordIn"]["required"]) >= {"record_id", "key", "seq", "op", "payload"}
    push = paths["/api/v1/push"]["post"]
    assert {"401", "413", "426"} <= set(push["responses"])
    params = {p["name"] for p in push.get("parameters", [])}
    assert protocol.VERSION_HEADER in params
    statuses = schemas["RecordResult"]["properties"]["status"]["description"]
    text = DOC.read_text(encoding="utf-8")
    for word in ("applied", "duplicate", "rejected", "deferred"):
        assert word in statuses and f"`{word}`" in text
    for code in ("token_revoked", "protocol_version", "too_large", "county_decided", "unknown_item"):
        assert code in text, code
