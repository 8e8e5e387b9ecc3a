"""TLS against a real HTTPS county center on 127.0.0.1, with a CA and a server certificate
made for the test: the county's CA bundle configured, missing (verification on, system CAs),
and verification explicitly off."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from clerk_app.services import sync_admin
from clerk_app.services.common import ServiceError
from clerk_app.store.models import AuditLog
from clerk_app.sync import state as ST
from county_center import service
from county_center.db import CountyDB
from county_center.models import Case as CCase
from tests.sync.conftest import DEMO_DIVISION, make_device, set_up_county, start_county
from tests.sync.tls import make_tls_files

ADVICE = "配置县中心的 CA 证书文件，或联系县中心"


@pytest.fixture
def tls(tmp_path):
    return make_tls_files(tmp_path / "tls")


@pytest.fixture
def https_county(tmp_path, tls):
    server = start_county("sqlite", tmp_path, certfile=str(tls.server_cert), keyfile=str(tls.server_key))
    assert server.url.startswith("https://127.0.0.1:")
    yield server
    server.close()


def _code(county) -> str:  # noqa: ANN001
    with county.admin() as s:
        return service.issue_code(s, DEMO_DIVISION)


def _enrol(device, url: str, code: str, **kwargs) -> None:  # noqa: ANN001
    device.url = url
    sync_admin.enrol(device.ctx, device.supervisor, url, code, credentials=device.creds,
                     device_name=f"device-{device.device_no}", **kwargs)


def _county_cases(db: CountyDB) -> set[str]:
    with db.tx() as s:
        return set(s.scalars(select(CCase.case_no)))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_with_certfile_and_the_county_ca_enrols_and_pushes(tmp_path, clock, tls):
    """`county-center serve --certfile --keyfile` serves HTTPS; a client given the county's
    CA bundle enrols and pushes."""
    db_path = tmp_path / "county.sqlite3"
    db = CountyDB(f"sqlite:///{db_path}")
    with db.tx() as s:
        set_up_county(s)
        code = service.issue_code(s, DEMO_DIVISION)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "county_center.cli", "--db", f"sqlite:///{db_path}", "serve",
         "--host", "127.0.0.1", "--port", str(port), "--certfile", str(tls.server_cert),
         "--keyfile", str(tls.server_key)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=Path(__file__).resolve().parents[2], env=os.environ | {"PYTHONUNBUFFERED": "1"})
    device = make_device(tmp_path, clock, 1)
    try:
        url = f"https://127.0.0.1:{port}"
        trusted = ssl.create_default_context(cafile=str(tls.ca_cert))
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(url + "/api/v1/info", verify=trusted, timeout=2).status_code == 200
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    said = proc.stdout.read() if proc.poll() is not None else ""
                    pytest.fail("county-center serve did not start:\n" + said)
                time.sleep(0.1)
        # the same port answers no plain HTTP
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/api/v1/info", timeout=2)

        _enrol(device, url, code, ca_bundle=str(tls.ca_cert))
        nos = [device.new_case(), device.new_case("notice")]
        report = device.sync()
        assert report.ok, report.error
        assert report.applied == 2
        assert sync_admin.overview(device.ctx).pending == 0
        assert _county_cases(db) == set(nos)
    finally:
        proc.terminate()
        try:
            out, _err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _err = proc.communicate()
        device.ctx.db.dispose()
        db.dispose()
    assert f"https://127.0.0.1:{port}/api/v1" in out


def test_without_the_county_ca_sync_fails_with_advice_and_keeps_the_outbox(tmp_path, clock, tls,
                                                                         https_county):
    device = make_device(tmp_path, clock, 1)
    code = _code(https_county)
    # enrolling without the CA bundle: refused before the code is sent, in words
    with pytest.raises(ServiceError) as refused:
        _enrol(device, https_county.url, code)
    assert "证书" in refused.value.message and ADVICE in refused.value.message
    assert not sync_admin.overview(device.ctx).enrolled
    # the code was not spent: the same code works once the CA bundle is given
    _enrol(device, https_county.url, code, ca_bundle=str(tls.ca_cert))
    first = device.new_case()
    assert device.sync().applied == 1

    # the CA bundle is removed from the settings: verification on, system CAs only
    sync_admin.save_settings(device.ctx, device.supervisor, ca_bundle="")
    nos = [device.new_case(), device.new_case()]
    report = device.sync()
    assert not report.ok and report.pushed == 0
    assert report.error_code == "tls_certificate"
    assert "证书" in report.error and ADVICE in report.error and https_county.url in report.error
    for english in ("Traceback", "SSL", "CERTIFICATE_VERIFY_FAILED", "Error"):
        assert english not in report.error
    ov = sync_admin.overview(device.ctx)
    assert ov.pending == 2 and ov.rejected == 0
    assert ov.blocked == ""  # not an auth stop: no re-enrolment asked for
    assert ov.last_error == report.error
    assert ov.next_attempt_at is not None and ov.next_attempt_at > clock()  # normal backoff
    assert [r.state for r in device.outbox()] == ["applied", "pending", "pending"]
    assert all(r.attempts == 0 for r in device.outbox()[1:])  # never reached the county
    assert _county_cases(https_county.db) == {first}
    with device.ctx.tx() as s:
        assert ST.read(s).failures == 1
    clock.advance(seconds=16 * 60)
    assert sync_admin.is_due(_state(device), clock())

    # the CA bundle is configured again: everything waiting goes, nothing was lost
    sync_admin.save_settings(device.ctx, device.supervisor, ca_bundle=str(tls.ca_cert))
    again = device.sync()
    assert again.ok, again.error
    assert again.applied == 2
    assert _county_cases(https_county.db) == {first, *nos}
    assert sync_admin.overview(device.ctx).last_error == ""


def _state(device):  # noqa: ANN001, ANN202
    with device.ctx.tx() as s:
        return ST.read(s)


def test_a_certificate_for_another_host_is_named(tmp_path, clock):
    tls = make_tls_files(tmp_path / "tls-other", hosts=("county.invalid",))
    server = start_county("sqlite", tmp_path, certfile=str(tls.server_cert), keyfile=str(tls.server_key))
    device = make_device(tmp_path, clock, 1)
    try:
        with pytest.raises(ServiceError) as refused:
            _enrol(device, server.url, _code(server), ca_bundle=str(tls.ca_cert))
        assert "地址不符" in refused.value.message and ADVICE in refused.value.message
    finally:
        device.ctx.db.dispose()
        server.close()


def test_an_unreadable_ca_file_is_a_message_not_a_crash(tmp_path, clock, tls, https_county):
    device = make_device(tmp_path, clock, 1)
    _enrol(device, https_county.url, _code(https_county), ca_bundle=str(tls.ca_cert))
    device.new_case()
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate", encoding="utf-8")
    sync_admin.save_settings(device.ctx, device.supervisor, ca_bundle=str(broken))
    report = device.sync()  # must not raise
    assert report.error_code == "tls_ca_unreadable"
    assert str(broken) in report.error and "CA 证书文件" in report.error
    ov = sync_admin.overview(device.ctx)
    assert ov.pending == 1 and ov.blocked == ""
    device.ctx.db.dispose()


def test_verification_off_works_and_the_warning_shows(tmp_path, clock, tls, https_county):
    device = make_device(tmp_path, clock, 1)
    _enrol(device, https_county.url, _code(https_county), verify=False)
    ov = sync_admin.overview(device.ctx)
    assert ov.enrolled and ov.tls_verify is False
    assert "已关闭 TLS 证书校验" in ov.tls_warning and "仅限测试" in ov.tls_warning
    assert sync_admin.settings_values(device.ctx)["sync.tls_verify"] is False
    with device.ctx.tx() as s:
        enrolled = s.scalar(select(AuditLog).where(AuditLog.action == "device_enrolled"))
        assert enrolled.detail["tls_verify"] is False  # turning verification off is recorded
    no = device.new_case()
    report = device.sync()
    assert report.ok, report.error
    assert report.applied == 1 and no in _county_cases(https_county.db)

    # verification back on (no CA bundle): the same server is no longer trusted, the warning goes
    sync_admin.save_settings(device.ctx, device.supervisor, verify=True)
    assert sync_admin.overview(device.ctx).tls_warning == ""
    device.new_case()
    report = device.sync()
    assert report.error_code == "tls_certificate" and ADVICE in report.error
    assert sync_admin.overview(device.ctx).pending == 1
    device.ctx.db.dispose()
