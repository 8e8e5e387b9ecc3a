"""An address that answers 404 for the sync API (another web server, or a county center that
no longer serves protocol 1): a plain message, the outbox intact, never an auth stop."""

from __future__ import annotations

import http.server
import threading

import pytest

from clerk_app.services import sync_admin
from clerk_app.services.common import ServiceError
from clerk_app.sync import protocol as P
from clerk_app.sync.client import CountyClient, NotACountyCenter, RequestRefused, SyncError
from county_center import service
from tests.sync.conftest import DEMO_DIVISION, make_device


class _NotFound(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append(f"{self.command} {self.path}")
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_args) -> None:  # quiet
        pass


@pytest.fixture
def other_server():
    _NotFound.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _assert_plain_words(message: str, url: str) -> None:
    assert url in message
    assert "不像是支持第 1 版同步协议的县级中心" in message
    assert "同步设置" in message and "核对县级中心地址" in message
    assert "升级窗口受理程序" in message
    assert "待上传的记录都保留在本机" in message
    assert "HTTP 404" not in message and "拒绝" not in message


def test_a_run_against_a_server_without_the_api_says_so_and_keeps_the_outbox(device, other_server):
    device.new_case()
    device.new_case()
    before = [(r.record_id, r.state, r.attempts) for r in device.outbox()]
    sync_admin.save_settings(device.ctx, device.supervisor, url=other_server)
    report = device.sync()
    assert not report.ok
    assert report.error_code == "not_county_center"
    _assert_plain_words(report.error, other_server)
    assert _NotFound.seen == ["GET " + P.API_PATH + "/info"]  # nothing was pushed
    assert [(r.record_id, r.state, r.attempts) for r in device.outbox()] == before
    ov = sync_admin.overview(device.ctx)
    assert ov.blocked == "" and "同步设置" in ov.last_error
    assert ov.pending == 2
    assert ov.next_attempt_at is not None  # retried with the backoff, not stopped


def test_the_right_address_again_sends_everything(device, county, other_server):
    device.new_case()
    sync_admin.save_settings(device.ctx, device.supervisor, url=other_server)
    assert device.sync().error_code == "not_county_center"
    sync_admin.save_settings(device.ctx, device.supervisor, url=county.url)
    report = device.sync()
    assert report.ok and report.applied == 1


def test_enrolment_against_a_server_without_the_api_explains_the_address(tmp_path, clock, county,
                                                                         other_server):
    d = make_device(tmp_path, clock, 8)
    with county.admin() as s:
        code = service.issue_code(s, DEMO_DIVISION)
    with pytest.raises(ServiceError) as info:
        sync_admin.enrol(d.ctx, d.supervisor, other_server, code, credentials=d.creds)
    _assert_plain_words(info.value.message, other_server)
    assert _NotFound.seen == ["POST " + P.API_PATH + "/enrol", "GET " + P.API_PATH + "/info"]
    # the code was not spent: the right address enrols with it
    sync_admin.enrol(d.ctx, d.supervisor, county.url, code, credentials=d.creds)
    assert sync_admin.overview(d.ctx).enrolled
    d.ctx.db.dispose()


def test_a_404_from_a_real_county_center_is_not_called_a_wrong_address(county):
    with CountyClient(county.url) as client, pytest.raises(SyncError) as info:
        client._request("GET", "/no-such-endpoint")  # /info answers: the API is there
    assert not isinstance(info.value, NotACountyCenter)
    assert isinstance(info.value, RequestRefused)
