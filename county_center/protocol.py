"""Protocol constants of the county side: versions, limits, outcome and error codes.

The client declares its own copy in ``clerk_app/sync/protocol.py``; the two sides agree
through the wire, not through shared code, as a county's own platform would.
"""

from __future__ import annotations

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1  # the oldest client protocol this server still serves
MAX_PROTOCOL_VERSION = 1  # the newest it understands
VERSION_HEADER = "X-Sync-Protocol"
API_PREFIX = "/api/v1"

# limits (the server refuses more, clearly; the client keeps under them)
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_BATCH_RECORDS = 500
MAX_RECORD_BYTES = 256 * 1024
MAX_PULL_LIMIT = 2000
DEFAULT_PULL_LIMIT = 500

# per-record outcomes of a push
APPLIED = "applied"
DUPLICATE = "duplicate"
REJECTED = "rejected"
DEFERRED = "deferred"  # an earlier change of the same case is missing: send that first

# feed entry kinds (pull)
KIND_CASE = "case_status"
KIND_CATALOG = "catalog"
KIND_CALENDAR = "calendar"
KIND_CALENDAR_YEAR = "calendar_year"  # a year whose holidays are all published
FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR = 2000, 2100  # years a calendar_year entry may name
KIND_OPERATOR = "operator"
KIND_SETTING = "setting"  # a county-wide setting the devices apply (name, value)

# the settings the county distributes, with their allowed range
COUNTY_SETTINGS = {"agents.handover_limit_days": (1, 30)}

# county decisions an admin (standing in for the approval system) can record
COUNTY_STATUSES = ("in_review", "completed", "not_approved")
# client operations on a case
CASE_OPS = ("accept", "notice", "refuse", "withdraw", "supplement", "deliver", "update")
CREATING_OPS = ("accept", "notice", "refuse")
# the case statuses a device may send in a payload (the counter's own, plus the county's
# decisions it has pulled); anything else is rejected (unknown_status)
CASE_STATUSES = ("awaiting_supplement", "accepted", "submitted", "in_review", "completed",
                 "not_approved", "delivered", "refused", "withdrawn", "done_on_spot")
