"""First set-up: the service point from the real division data, and the device number."""

from __future__ import annotations

import pytest

from clerk_app.services import agents, setup
from clerk_app.services.common import ServiceError


def request(**changes) -> setup.SetupRequest:
    base = dict(division_code="420528101000", device_no=7, supervisor_username="boss",
                supervisor_name="王主任", supervisor_password="abc12345")
    base.update(changes)
    return setup.SetupRequest(**base)


def test_counters_and_agents_laptops_never_share_device_numbers():
    assert set(setup.COUNTER_DEVICE_NOS).isdisjoint(agents.LAPTOP_DEVICE_NOS)
    assert set(setup.COUNTER_DEVICE_NOS) | set(agents.LAPTOP_DEVICE_NOS) == set(range(1, 100))


@pytest.mark.parametrize("number", [0, 60, 99, 100])
def test_a_counter_number_outside_its_range_is_refused(ctx, number):
    with pytest.raises(ServiceError, match="1 到 59"):
        setup.set_up(ctx, request(device_no=number))
    assert not setup.is_set_up(ctx)


def test_township_and_village_service_points(ctx, tmp_path):
    info = setup.describe_division("420528101000")
    assert info["name"] == "龙舟坪镇便民服务中心" and info["kind"] == "township"
    assert info["office_name"] == "长阳土家族自治县龙舟坪镇人民政府"
    village = setup.describe_division("420528101001")
    assert village["kind"] == "village" and village["name"].endswith("便民服务室")
    for bad in ("4205281010", "999999999999", "abc"):
        with pytest.raises(ServiceError):
            setup.describe_division(bad)
    setup.set_up(ctx, request())
    assert setup.service_point(ctx).name == "龙舟坪镇便民服务中心"
    assert setup.device_no(ctx) == 7
    with pytest.raises(ServiceError, match="已经设置过"):
        setup.set_up(ctx, request())
