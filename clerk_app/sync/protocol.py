"""The client's side of the protocol: its version, the limits it keeps, the outcome codes."""

from __future__ import annotations

PROTOCOL_VERSION = 1
VERSION_HEADER = "X-Sync-Protocol"
API_PATH = "/api/v1"

# what the client sends at most (the server states its own limits at /info; the smaller wins)
MAX_BATCH_RECORDS = 500
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_RECORD_BYTES = 256 * 1024
PULL_LIMIT = 500

APPLIED = "applied"
DUPLICATE = "duplicate"
REJECTED = "rejected"
DEFERRED = "deferred"

KIND_CASE = "case_status"
KIND_CATALOG = "catalog"
KIND_CALENDAR = "calendar"
KIND_CALENDAR_YEAR = "calendar_year"  # a year whose holidays are all published
KIND_OPERATOR = "operator"
KIND_SETTING = "setting"

# outbox states
PENDING = "pending"
SENT = "applied"
SET_ASIDE = "rejected"
DISCARDED = "discarded"
