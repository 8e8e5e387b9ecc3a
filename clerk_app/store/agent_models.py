"""Tables of the proxy agents (代办): the registry, commissions, their steps and handovers.

On the same ``Base`` as :mod:`clerk_app.store.models`, which imports this module at its end
so the metadata (and Alembic's view of it) is complete; migration ``0200_agents`` creates
them.

Every row that travels between devices has a key made where it was created (an agent's
``key``, a commission's ``commission_no``, a step's ``key``, a handover's ``sheet_no``), so
the same thing arriving twice (through sync and from a QR code) is recognised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clerk_app.store.models import Base


class Agent(Base):
    """A registered proxy agent (代办员) of the township."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # uuid4 hex, made at registration
    agent_no: Mapped[str] = mapped_column(String(8), unique=True)  # 代办员编号
    name: Mapped[str] = mapped_column(String(60))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(4))
    township_code: Mapped[str] = mapped_column(String(12))  # the service point's division code
    villages: Mapped[list[Any]] = mapped_column(default=list)  # 12-digit codes served
    grid: Mapped[str] = mapped_column(String(100), default="")  # 网格 served, if any
    start_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_date: Mapped[dt.date] = mapped_column(Date)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)  # a small JPEG, optional
    username: Mapped[str] = mapped_column(String(40), index=True)  # the agent's operator login
    # Ed25519 public keys that verify the agent's handover sheets, {"serial": "hex"}: each
    # provisioning of a laptop makes a new key; older ones stay so sheets printed before
    # still verify
    public_keys: Mapped[dict[str, Any]] = mapped_column(default=dict)
    key_serial: Mapped[int] = mapped_column(Integer, default=0)  # the newest key's serial
    provision_count: Mapped[int] = mapped_column(Integer, default=0)
    # the device number the agent's laptop uses at the service point (if it enrols for sync)
    laptop_device_no: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)  # newer data wins between devices
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    status_changes: Mapped[list[AgentStatusChange]] = relationship(
        back_populates="agent", order_by="AgentStatusChange.id", cascade="all, delete-orphan")


class AgentStatusChange(Base):
    __tablename__ = "agent_status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    old_status: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    effective_date: Mapped[dt.date] = mapped_column(Date)
    operator_name: Mapped[str] = mapped_column(String(60), default="")

    agent: Mapped[Agent] = relationship(back_populates="status_changes")


class Commission(Base):
    """A citizen's authorization of an agent to handle one item (代办委托)."""

    __tablename__ = "commissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    commission_no: Mapped[str] = mapped_column(String(24), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    # the item version the commission was made under (None when only its code is known here)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    item_code: Mapped[str] = mapped_column(String(80))
    item_name: Mapped[str] = mapped_column(String(200))
    principal_name: Mapped[str] = mapped_column(String(200))
    principal_id_type: Mapped[str] = mapped_column(String(20))
    principal_id_number: Mapped[str] = mapped_column(String(40))
    principal_phone: Mapped[str] = mapped_column(String(40), default="")
    principal_address: Mapped[str] = mapped_column(String(300), default="")
    village_code: Mapped[str | None] = mapped_column(String(12))
    scope: Mapped[list[Any]] = mapped_column(default=list)  # codes of domain.agents.SCOPES
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    subdelegation: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sheet_no: Mapped[str | None] = mapped_column(String(32))  # the handover it went on
    case_no: Mapped[str | None] = mapped_column(String(32), index=True)  # the case at the township
    result_text: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(12), default="local")  # local | sheet | sync

    agent: Mapped[Agent] = relationship()
    materials: Mapped[list[CommissionMaterial]] = relationship(
        back_populates="commission", order_by="CommissionMaterial.seq",
        cascade="all, delete-orphan")
    steps: Mapped[list[CommissionStep]] = relationship(
        back_populates="commission", order_by="CommissionStep.at, CommissionStep.id",
        cascade="all, delete-orphan")


class CommissionMaterial(Base):
    """One line of the materials the agent collected, a snapshot of the item's material."""

    __tablename__ = "commission_materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id"), index=True)
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
    # what the township found when it received the handover: "" | ok | missing | wrong
    township_check: Mapped[str] = mapped_column(String(12), default="")

    commission: Mapped[Commission] = relationship(back_populates="materials")


class CommissionStep(Base):
    """One step of a commission: who, when, where, on which device."""

    __tablename__ = "commission_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # uuid4 hex
    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    operator_name: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(16), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    device: Mapped[str] = mapped_column(String(40), default="")  # service point code / device no
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    commission: Mapped[Commission] = relationship(back_populates="steps")


class Handover(Base):
    """A handover sheet (交接单): printed by the agent, received (once) at the township."""

    __tablename__ = "handovers"
    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_no: Mapped[str] = mapped_column(String(32), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    payload: Mapped[str] = mapped_column(Text, default="")  # the QR text, as printed
    mode: Mapped[str] = mapped_column(String(8), default="full")  # full | digest
    commission_nos: Mapped[list[Any]] = mapped_column(default=list)
    # issued (printed by the agent) | delivered (the agent says it reached the township)
    # | received (the township checked it in)
    state: Mapped[str] = mapped_column(String(12), default="issued", index=True)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    received_by: Mapped[str] = mapped_column(String(60), default="")
    received_device: Mapped[str] = mapped_column(String(40), default="")
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(12), default="local")  # local | sheet | sync

    agent: Mapped[Agent] = relationship()
