"""The OS keyring on a real desktop: locked at login (transient: retried with the backoff,
no re-enrolment) versus a token that is not there at all (sync stops until re-enrolment)."""

from __future__ import annotations

import datetime as dt

import httpx

from clerk_app.credentials import Credentials
from clerk_app.services import sync_admin
from clerk_app.sync import state as ST
from county_center import service
from county_center.models import Device as CDevice
from tests.sync.keyrings import LockedAtFirstKeyring


def _state(device) -> ST.SyncState:  # noqa: ANN001
    with device.ctx.tx() as s:
        return ST.read(s)


class _Counting(httpx.BaseTransport):
    def __init__(self) -> None:
        self.hits: list[str] = []
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hits.append(request.url.path)
        return self._real.handle_request(request)


def test_a_keyring_locked_at_first_is_retried_and_sync_succeeds_without_re_enrolment(
        device, county, clock):
    case_no = device.new_case()
    device_id = sync_admin.overview(device.ctx).device_id
    # the same stored token, behind a keyring that is still locked at the first read
    locked = LockedAtFirstKeyring(device.keyring.store, locked_calls=1)
    engine = sync_admin.make_engine(device.ctx, Credentials(locked))

    first = engine.run()
    assert first.error_code == "keyring_unavailable"
    assert first.error == "系统密钥环暂不可用（可能尚未解锁），稍后自动重试。"
    st = _state(device)
    assert st.blocked == "" and st.failures == 1  # not an auth block
    assert st.next_attempt_at is not None and st.next_attempt_at > clock()  # the normal backoff
    assert st.next_attempt_at <= clock() + dt.timedelta(seconds=10)  # first step: at most 10 s
    assert not sync_admin.is_due(st, clock())
    ov = sync_admin.overview(device.ctx)
    assert ov.blocked == "" and ov.pending == 1 and "密钥环" in ov.last_error

    clock.advance(seconds=11)  # the backoff has passed: the timer starts the next run itself
    assert sync_admin.is_due(_state(device), clock())
    again = engine.run()
    assert again.ok and again.applied == 1 and locked.reads == 2
    st = _state(device)
    assert st.failures == 0 and st.last_error == "" and st.device_id == device_id  # same enrolment
    with county.admin() as s:
        assert [d.id for d in s.query(CDevice)] == [device_id]  # no second enrolment
        assert service.show_case(s, case_no)[0].device_id == device_id


def test_a_keyring_locked_for_several_runs_backs_off_then_recovers(device, county, clock):
    device.new_case()
    locked = LockedAtFirstKeyring(device.keyring.store, locked_calls=3)
    engine = sync_admin.make_engine(device.ctx, Credentials(locked))
    delays = []
    for _ in range(3):
        assert engine.run().error_code == "keyring_unavailable"
        st = _state(device)
        assert st.blocked == ""
        delays.append(st.next_attempt_at - clock())
        clock.advance(seconds=(st.next_attempt_at - clock()).total_seconds() + 1)
    assert _state(device).failures == 3
    assert max(delays) <= dt.timedelta(seconds=40)  # 10 s, 20 s, 40 s ceilings (with jitter)
    assert engine.run().applied == 1
    assert _state(device).failures == 0


def test_a_token_missing_from_the_keyring_still_needs_enrolment(device, county):
    device.new_case()
    device.keyring.store.clear()  # the keyring answers, but holds nothing for this device
    report = device.sync()
    assert report.error_code == "token_missing" and "重新注册" in report.error
    st = _state(device)
    assert st.blocked == "auth" and st.next_attempt_at is None
    assert not sync_admin.is_due(st, st.last_attempt_at + dt.timedelta(days=1))
    counting = _Counting()
    assert device.engine(transport=counting).run().error_code == "token_missing"
    assert counting.hits == []  # stopped: no request until the device is enrolled again


def test_a_keyring_block_left_by_an_earlier_version_is_lifted(device, county, clock):
    """Earlier versions stopped sync for good on a locked keyring; that state must not stick."""
    device.new_case()
    with device.ctx.tx() as s:
        ST.put(s, ST.BLOCKED, "auth")
        ST.put(s, ST.LAST_ERROR_CODE, "keyring_unavailable")
        ST.put(s, ST.LAST_ERROR, "本机的系统钥匙串（凭据管理器）不可用")
        ST.put(s, ST.NEXT_ATTEMPT, "")
    assert sync_admin.overview(device.ctx).blocked == ""
    assert sync_admin.is_due(_state(device), clock())
    assert device.sync().applied == 1
