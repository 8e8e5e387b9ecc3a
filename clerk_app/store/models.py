"""SQLAlchemy models: the local database is the truth on the device.

Schema changes go through Alembic migrations in ``clerk_app/store/migrations``; never call
``create_all`` outside tests of the migrations themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    event,
    func,
    select,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, object_session, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Setting(Base):
    """Device-wide key/value settings (service point, device part of case numbers, ...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ServicePoint(Base):
    """The township hall or village service room this device serves."""

    __tablename__ = "service_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    division_code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # township | village
    county_code: Mapped[str] = mapped_column(String(6))
    county_name: Mapped[str] = mapped_column(String(50))
    township_name: Mapped[str] = mapped_column(String(50))
    village_name: Mapped[str | None] = mapped_column(String(50))
    office_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    complaint_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))


class Operator(Base):
    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))  # clerk | supervisor | agent
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    phone: Mapped[str | None] = mapped_column(String(40))


class CatalogVersion(Base):
    __tablename__ = "catalog_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(260))
    checksum: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class ServiceItem(Base):
    """One version of a service item (事项). A case refers to the version it was taken under."""

    __tablename__ = "service_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), index=True)  # 实施编码
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"))
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(100))  # 实施主体
    item_type: Mapped[str] = mapped_column(String(40))  # 事项类型
    level: Mapped[str] = mapped_column(String(100))  # 办理层级
    legal_limit: Mapped[int] = mapped_column(Integer)  # working days, 0 = 即办
    promised_limit: Mapped[int] = mapped_column(Integer)
    fee: Mapped[str] = mapped_column(String(200))
    conditions: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    proxy_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    visits: Mapped[int] = mapped_column(Integer, default=1)
    consult_phone: Mapped[str] = mapped_column(String(60), default="")
    complaint_phone: Mapped[str] = mapped_column(String(60), default="")

    materials: Mapped[list[Material]] = relationship(
        back_populates="item", order_by="Material.seq", cascade="all, delete-orphan"
    )

    @property
    def on_the_spot(self) -> bool:
        return self.promised_limit == 0


class Material(Base):
    __tablename__ = "materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(20))  # 原件 | 复印件 | 原件及复印件
    copies: Mapped[int] = mapped_column(Integer, default=1)
    required: Mapped[bool] = mapped_column(Boolean, default=True)  # False = 条件必需
    condition: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[ServiceItem] = relationship(back_populates="materials")


class Applicant(Base):
    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("id_type", "id_number", name="uq_applicant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | org
    name: Mapped[str] = mapped_column(String(200))
    id_type: Mapped[str] = mapped_column(String(20))  # see domain.ids.IdType / "uscc" for orgs
    id_number: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(4))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    village_code: Mapped[str | None] = mapped_column(String(12))
    legal_rep: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    service_point_code: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(16), default="counter")  # counter | proxy
    status: Mapped[str] = mapped_column(String(24), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    legal_due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    refusal_redirect: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    # denormalised for the case list, which must stay fast with 200,000 cases
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    item_name: Mapped[str] = mapped_column(String(200), default="")

    item: Mapped[ServiceItem] = relationship()
    applicant: Mapped[Applicant] = relationship()
    operator: Mapped[Operator] = relationship()
    materials: Mapped[list[CaseMaterial]] = relationship(
        back_populates="case", order_by="CaseMaterial.seq", cascade="all, delete-orphan"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="case", order_by="Document.id", cascade="all, delete-orphan"
    )


Index("ix_cases_status_due", Case.status, Case.due_date)
# a returning applicant, and the case list's search, look people up by ID number alone
Index("ix_applicants_id_number", Applicant.id_number)


class CaseMaterial(Base):
    """One line of a case's materials checklist, a snapshot of the item's material."""

    __tablename__ = "case_materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(20))
    copies_required: Mapped[int] = mapped_column(Integer, default=1)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    condition: Mapped[str] = mapped_column(Text, default="")
    condition_applies: Mapped[bool | None] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    copies_received: Mapped[int] = mapped_column(Integer, default=0)
    problem: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="materials")


class CaseEvent(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    operator: Mapped[Operator | None] = relationship()


class Document(Base):
    """A document issued for a case: one-time notice, receipt or refusal notice.

    The content is frozen when the document is issued, so a reprint (补打) shows exactly
    what the citizen was given the first time.
    """

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # notice | receipt | refusal
    doc_no: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    seq: Mapped[int] = mapped_column(Integer, default=1)  # nth document of this kind for the case
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="documents")
    prints: Mapped[list[PrintRecord]] = relationship(
        back_populates="document", order_by="PrintRecord.id", cascade="all, delete-orphan"
    )


class PrintRecord(Base):
    __tablename__ = "print_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    is_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    paper: Mapped[str] = mapped_column(String(8))  # a4 | r80
    target: Mapped[str] = mapped_column(String(300))  # printer name or PDF path
    # paper | pdf: only paper makes the next print a copy (补打); a PDF saved for the
    # archive first must not turn the citizen's paper into a reprint
    medium: Mapped[str] = mapped_column(String(8), default="paper", server_default="paper")

    document: Mapped[Document] = relationship(back_populates="prints")


class CaseSequence(Base):
    """Last sequence number used for case numbers per day on this device."""

    __tablename__ = "case_sequences"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD
    last: Mapped[int] = mapped_column(Integer, default=0)


class Draft(Base):
    """The intake form as the clerk is typing it; comes back after a crash."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="intake")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CalendarOverride(Base):
    """An administrator's (later the county's) correction to the working-day calendar."""

    __tablename__ = "calendar_overrides"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20), default="local")  # local | county
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class CalendarYear(Base):
    """A year whose holidays and make-up workdays are all entered as overrides
    (「2027 年节假日安排已全部录入」): its other days follow the weekday rule, not estimated."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20), default="local")  # local | county
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxRecord(Base):
    """A change the county must learn of, written in the same transaction as the change."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), unique=True)  # client-made id (uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(60), index=True)
    op: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending (waiting) | applied (the county has it) | rejected (set aside, with reason)
    # | discarded (a rejected change the clerk gave up for the county's decision)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # when the county acknowledged
    reason: Mapped[str | None] = mapped_column(Text)
    # sync bookkeeping (migration 0100_sync)
    entity_seq: Mapped[int | None] = mapped_column(Integer)  # nth change of this entity, from 1
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the county's answer


Index("ix_outbox_state_id", OutboxRecord.state, OutboxRecord.id)


@event.listens_for(OutboxRecord, "before_insert")
def _number_outbox_record(_mapper, connection, target: OutboxRecord) -> None:  # noqa: ANN001
    """Give each record its place among the changes of its entity, in the same transaction.

    The county applies the changes of one case in this order.
    """
    if target.entity_seq is not None:
        return
    session = object_session(target)
    cache: dict[tuple[str, str], int] = session.info.setdefault("outbox_seq", {}) if session else {}
    key = (target.entity, target.entity_key)
    last = cache.get(key)
    if last is None:
        last = connection.scalar(
            select(func.max(OutboxRecord.entity_seq)).where(
                OutboxRecord.entity == target.entity, OutboxRecord.entity_key == target.entity_key
            )
        ) or 0
    target.entity_seq = last + 1
    cache[key] = target.entity_seq


@event.listens_for(OutboxRecord, "after_insert")
def _forget_outbox_seq(_mapper, _connection, target: OutboxRecord) -> None:  # noqa: ANN001
    session = object_session(target)
    if session is not None:
        session.info.pop("outbox_seq", None)


class SyncCaseState(Base):
    """What the county last told this device about one of its cases."""

    __tablename__ = "sync_case_state"
    case_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    county_version: Mapped[int] = mapped_column(Integer, default=0)
    county_status: Mapped[str | None] = mapped_column(String(24))
    official_no: Mapped[str | None] = mapped_column(String(60))
    result_text: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[str | None] = mapped_column(String(32))
    pulled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SyncConflict(Base):
    """Pulled data that met a local change not yet sent: kept, shown, resolved by the rule."""

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # case_status | calendar
    key: Mapped[str] = mapped_column(String(80), index=True)
    county_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    local_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    resolution: Mapped[str | None] = mapped_column(String(20))  # county | local | superseded
    note: Mapped[str] = mapped_column(Text, default="")


from clerk_app.store import agent_models as _agent_models  # noqa: E402,F401 - the agents' tables
