"""First start: choose the service point, import the catalog, create the first supervisor."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from clerk_app.domain import divisions
from clerk_app.domain.status import Role
from clerk_app.i18n import _
from clerk_app.paths import resource
from clerk_app.services import auth, catalog
from clerk_app.services.common import Context, ServiceError, audit, get_setting, set_setting
from clerk_app.store.models import Operator, ServicePoint

DEMO_DIVISION = "420528101000"  # 龙舟坪镇, 长阳土家族自治县
# the device part of case numbers: counters take 1-59, agents' laptops 60-99 (services.agents)
COUNTER_DEVICE_NOS = range(1, 60)
DEMO_PASSWORD = "demo1234"
DEMO_OPERATORS = (
    ("admin", "王建华", Role.SUPERVISOR),
    ("zhangli", "张丽", Role.CLERK),
    ("liqiang", "李强", Role.CLERK),
)


@dataclass
class SetupRequest:
    division_code: str  # 12 digits: township (…000) or village
    device_no: int  # COUNTER_DEVICE_NOS: different on every counter PC of the service point
    supervisor_username: str
    supervisor_name: str
    supervisor_password: str
    phone: str = ""
    complaint_phone: str = "12345"
    address: str = ""
    items_path: Path | None = None
    materials_path: Path | None = None


def is_set_up(ctx: Context) -> bool:
    with ctx.tx() as s:
        return s.scalar(select(ServicePoint.id).limit(1)) is not None and (
            s.scalar(select(Operator.id).limit(1)) is not None
        )


def service_point(ctx: Context) -> ServicePoint:
    with ctx.tx() as s:
        sp = s.scalar(select(ServicePoint).limit(1))
        if sp is None:
            raise ServiceError(_("本机还没有设置服务点，请先完成初始设置。"))
        return sp


def device_no(ctx: Context) -> int:
    with ctx.tx() as s:
        return int(get_setting(s, "device_no", "1") or 1)


def describe_division(code: str) -> dict[str, str]:
    """Names for a 12-digit township or village code, from the real division data."""
    code = code.strip()
    if not (code.isdigit() and len(code) in (9, 12)):
        raise ServiceError(_("区划代码应为 12 位数字（乡镇或村），例如 420528101000。"))
    code12 = divisions.to_12(code)
    township = divisions.get(code12[:9])
    county = divisions.get(code12[:6])
    if township is None or county is None:
        raise ServiceError(_("区划代码 {code} 不在湖北省区划数据中，请从列表中选择。").format(code=code))
    is_village = code12[9:] != "000"
    village = divisions.get(code12) if is_village else None
    if is_village and village is None:
        raise ServiceError(_("区划代码 {code} 不在湖北省区划数据中，请从列表中选择。").format(code=code))
    name = (
        _("{village}便民服务室").format(village=village.name)
        if village
        else _("{township}便民服务中心").format(township=township.name)
    )
    office = county.name + township.name + ("" if township.name.endswith(("街道", "办事处")) else "人民政府")
    return {
        "code": code12,
        "kind": "village" if is_village else "township",
        "county_code": code12[:6],
        "county_name": county.name,
        "township_name": township.name,
        "village_name": village.name if village else "",
        "name": name,
        "office_name": office,
    }


def set_up(ctx: Context, req: SetupRequest) -> None:
    if is_set_up(ctx):
        raise ServiceError(_("本机已经设置过服务点。"))
    info = describe_division(req.division_code)
    if req.device_no not in COUNTER_DEVICE_NOS:
        raise ServiceError(_("本机编号应为 {low} 到 {high} 之间的数字，同一服务点的每台电脑各不相同"
                             "（{agent} 号以后留给代办员的笔记本）。").format(
            low=COUNTER_DEVICE_NOS.start, high=COUNTER_DEVICE_NOS.stop - 1,
            agent=COUNTER_DEVICE_NOS.stop))
    # read and check the catalog before anything is written
    parsed = None
    checksum = ""
    if req.items_path is not None:
        parsed = catalog.load_catalog(req.items_path, req.materials_path).items
        checksum = "setup"
    now = ctx.clock()
    with ctx.tx() as s:
        s.add(
            ServicePoint(
                division_code=info["code"], name=info["name"], kind=info["kind"],
                county_code=info["county_code"], county_name=info["county_name"],
                township_name=info["township_name"], village_name=info["village_name"] or None,
                office_name=info["office_name"], phone=req.phone or None,
                complaint_phone=req.complaint_phone or None, address=req.address or None,
            )
        )
        set_setting(s, "device_no", str(req.device_no))
        op = auth.create_operator(
            s, now, None, req.supervisor_username, req.supervisor_name, Role.SUPERVISOR.value,
            req.supervisor_password,
        )
        audit(s, now, auth.actor_of(op), "service_point_set_up", "service_point", info["code"],
              device_no=req.device_no)
        if parsed is not None:
            catalog.apply_catalog(s, now, None, parsed, req.items_path.name, checksum)  # type: ignore[union-attr]


def demo_catalog_paths() -> tuple[Path, Path]:
    return resource("catalog", "township-items.csv"), resource("catalog", "township-materials.csv")


def set_up_demo(ctx: Context) -> bool:
    """Unattended set-up for 龙舟坪镇 with demo operators. False if already set up."""
    if is_set_up(ctx):
        return False
    items, materials = demo_catalog_paths()
    username, name, _role = DEMO_OPERATORS[0]
    set_up(
        ctx,
        SetupRequest(
            division_code=DEMO_DIVISION,
            device_no=random.choice(COUNTER_DEVICE_NOS),
            supervisor_username=username,
            supervisor_name=name,
            supervisor_password=DEMO_PASSWORD,
            phone="0717-5321234",
            complaint_phone="12345",
            address="长阳土家族自治县龙舟坪镇龙舟大道 1 号",
            items_path=items,
            materials_path=materials,
        ),
    )
    with ctx.tx() as s:
        set_setting(s, "demo", "1")
        admin = s.scalar(select(Operator).where(Operator.username == username))
        for uname, dname, role in DEMO_OPERATORS[1:]:
            auth.create_operator(s, ctx.clock(), auth.actor_of(admin), uname, dname, role.value,
                                 DEMO_PASSWORD)
    return True


def is_demo(ctx: Context) -> bool:
    with ctx.tx() as s:
        return get_setting(s, "demo") == "1"
