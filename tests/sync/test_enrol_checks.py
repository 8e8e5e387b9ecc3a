"""Enrolment on real machines: no keyring, and the address as the server prints it."""

from __future__ import annotations

import keyring.backends.fail
import pytest

from clerk_app.credentials import Credentials
from clerk_app.services import sync_admin
from clerk_app.services.common import ServiceError
from county_center import service
from tests.sync.conftest import DEMO_DIVISION, enrol, make_device


def test_without_a_keyring_the_code_is_not_spent(tmp_path, clock, county):
    d = make_device(tmp_path, clock, 5)
    with county.admin() as s:
        code = service.issue_code(s, DEMO_DIVISION)
    no_keyring = Credentials(keyring.backends.fail.Keyring())
    with pytest.raises(ServiceError) as info:
        sync_admin.enrol(d.ctx, d.supervisor, county.url, code, credentials=no_keyring)
    assert "钥匙串" in info.value.message and "尚未使用" in info.value.message
    # the same code still works once a keyring is there, on the same device number
    sync_admin.enrol(d.ctx, d.supervisor, county.url, code, credentials=d.creds)
    assert sync_admin.overview(d.ctx).enrolled
    d.ctx.db.dispose()


def test_the_address_the_server_prints_works_too(tmp_path, clock, county):
    d = make_device(tmp_path, clock, 6)
    enrol(d, county, url=county.url.rstrip("/") + "/api/v1/")
    assert sync_admin.settings_values(d.ctx)["sync.url"] == county.url.rstrip("/")
    d.new_case()
    report = d.sync()
    assert report.ok and report.applied == 1
    d.ctx.db.dispose()
