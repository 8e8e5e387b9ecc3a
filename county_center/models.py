"""The county center's tables.

Every change a device sends is kept (``case_changes``), keyed by the record id the device
made, so a resend is answered from what was stored and never applied twice. What the
devices must learn is appended to ``feed``; a device pulls it after a cursor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 1

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for the feed
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    __tablename__ = "cc_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ServicePoint(Base):
    __tablename__ = "cc_service_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EnrolmentCode(Base):
    """A one-time code the county gives a service point to enrol one device."""

    __tablename__ = "cc_enrolment_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("cc_service_points.id"))
    device_no: Mapped[int | None] = mapped_column(Integer)  # None: the device says
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    device_id: Mapped[str | None] = mapped_column(String(36))


class Device(Base):
    __tablename__ = "cc_devices"
    __table_args__ = (UniqueConstraint("service_point_id", "device_no", "active_slot",
                                       name="uq_device_no_per_point"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid, made by the server
    service_point_id: Mapped[int] = mapped_column(ForeignKey("cc_service_points.id"), index=True)
    device_no: Mapped[int] = mapped_column(Integer)
    # 1 while the device may sync; NULL once revoked, so its number can be given again
    active_slot: Mapped[int | None] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_cursor: Mapped[int] = mapped_column(BigId, default=0)
    protocol_version: Mapped[int | None] = mapped_column(Integer)


class Case(Base):
    """A case as the county knows it: the device's last snapshot plus the county's decision."""

    __tablename__ = "cc_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("cc_service_points.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("cc_devices.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(80))
    item_name: Mapped[str] = mapped_column(String(200))
    # "" when the item is in the county's current catalog; else why not (renamed / removed)
    catalog_note: Mapped[str] = mapped_column(String(200), default="")
    applicant_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_seq: Mapped[int] = mapped_column(Integer)  # the device's per-case change counter
    change_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # the county's side (set by the approval system, here the admin command)
    county_version: Mapped[int] = mapped_column(Integer, default=0)
    official_no: Mapped[str | None] = mapped_column(String(60))
    result_text: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CaseChange(Base):
    """One applied record from a device. Its record id makes every resend harmless."""

    __tablename__ = "cc_case_changes"
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cc_cases.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("cc_devices.id"))
    seq: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_created_at: Mapped[str] = mapped_column(String(32))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime)
    via: Mapped[str] = mapped_column(String(8), default="http")  # http | usb
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


Index("ix_cc_case_changes_case_seq", CaseChange.case_id, CaseChange.seq, unique=True)


class Rejection(Base):
    """A record refused with its reason; kept for the county's support staff."""

    __tablename__ = "cc_rejections"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    case_no: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class FeedEntry(Base):
    """What devices must learn, in one county-wide order; a device pulls after its cursor.

    ``service_point_id`` NULL: every device (catalog, calendar). ``device_no`` set: only that
    device number of the service point (the status of a case it made; kept across a
    re-enrolment of the same computer).
    """

    __tablename__ = "cc_feed"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(80))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("cc_service_points.id"))
    device_no: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


Index("ix_cc_feed_point", FeedEntry.service_point_id, FeedEntry.id)


class CatalogVersion(Base):
    __tablename__ = "cc_catalog_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(260))
    checksum: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[Any]] = mapped_column(JSON)  # every item with its materials


class CatalogItem(Base):
    """Every item code the county has ever published, and whether it is current."""

    __tablename__ = "cc_catalog_items"
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    version_id: Mapped[int] = mapped_column(Integer)


class CalendarDay(Base):
    __tablename__ = "cc_calendar"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CalendarYear(Base):
    """A year whose holidays and make-up workdays the county has published in full."""

    __tablename__ = "cc_calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Operator(Base):
    """An operator or agent of a service point, as the county registers them."""

    __tablename__ = "cc_operators"
    __table_args__ = (UniqueConstraint("service_point_id", "username", name="uq_cc_operator"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("cc_service_points.id"))
    username: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
