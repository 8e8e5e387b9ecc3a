"""HTTP client for the county center (httpx; the transport is injectable)."""

from __future__ import annotations

import json
import logging
import ssl
from typing import Any

import httpx

from clerk_app.i18n import _
from clerk_app.services.common import ServiceError
from clerk_app.sync import protocol as P

log = logging.getLogger(__name__)


class SyncError(ServiceError):
    """A sync failure with a message for the clerk. ``transient``: try again later."""

    transient = True

    def __init__(self, message: str, code: str = "", *, reason: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra
        # what went wrong without what happens next (e.g. without 稍后自动重试, which only
        # the sync schedule does): a one-off request such as an enrolment says its own next step
        self.reason = reason or message


def _later(reason: str) -> str:
    return reason + _("稍后自动重试。")


class NetworkError(SyncError):
    pass


class CertificateError(NetworkError):
    """The county's TLS certificate was not trusted (unknown CA, wrong host name, expired).

    Not an authentication problem: nothing is stopped for good, the outbox waits, and the run
    is retried with the normal backoff (the county may fix its certificate, or a supervisor
    configures the county's CA bundle)."""


class ServerError(SyncError):
    pass


class AuthError(SyncError):
    """The token is missing, unknown, revoked or expired: stop until the device re-enrols."""

    transient = False


class KeyringUnavailable(SyncError):
    """The OS keyring could not be read (locked until the user's login unlocks it, its service
    not started yet): transient, retried with the normal backoff. The token is still there."""


class VersionError(SyncError):
    """Client and server speak protocol versions that do not overlap."""

    transient = False


class NotACountyCenter(SyncError):
    """The address answers, but not as a county center this client can talk to: the API
    path is not there (404), e.g. a wrong address that points at another web server, or a
    county center that no longer serves this client's protocol version.

    Not an authentication problem and nothing is sent: the outbox waits intact, and the run
    is retried with the normal backoff (a supervisor corrects the address, or the program is
    upgraded)."""

    transient = False


class TooLarge(SyncError):
    pass


class RequestRefused(SyncError):
    """A 4xx answer the caller must act on (e.g. a wrong enrolment code)."""

    transient = False


class NotEnrolled(SyncError):
    transient = False


def tls_verify(verify: bool, ca_bundle: str = "") -> bool | ssl.SSLContext:
    """What httpx gets for ``verify``: off, the system CAs, or the county's CA bundle."""
    if not verify:
        return False
    if ca_bundle:
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError):
            raise CertificateError(
                _("无法读取同步设置中的 CA 证书文件（{path}），暂时无法与县级中心同步；待上传的记录都保留在本机。"
                  "请在「同步设置」中重新选择县中心的 CA 证书文件（PEM 格式），或联系县中心。").format(path=ca_bundle),
                code="tls_ca_unreadable") from None
    return True


_CERT_PROBLEMS = (  # OpenSSL's verify messages, in words for the counter
    ("hostname mismatch", _("证书上的地址与县级中心地址不符")),
    ("ip address mismatch", _("证书上的地址与县级中心地址不符")),
    ("expired", _("证书已过期")),
    ("not yet valid", _("证书尚未生效")),
    ("self-signed", _("证书不是由本机信任的机构签发")),
    ("self signed", _("证书不是由本机信任的机构签发")),
    ("local issuer", _("证书不是由本机信任的机构签发")),
)


def _cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLCertVerificationError):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def _network_error(exc: Exception, url: str) -> NetworkError:
    cert = _cert_failure(exc)
    if cert is not None or "CERTIFICATE_VERIFY_FAILED" in str(exc).upper():
        detail = str(getattr(cert, "verify_message", "") or exc).lower()
        why = next((words for needle, words in _CERT_PROBLEMS if needle in detail),
                   _("证书未通过校验"))
        return CertificateError(
            _("县级中心的 TLS 证书校验失败（{url}）：{why}，暂时无法同步；待上传的记录都保留在本机。"
              "请在「同步设置」中配置县中心的 CA 证书文件，或联系县中心。").format(url=url, why=why),
            code="tls_certificate")
    if isinstance(exc, httpx.ConnectError) and "SSL" in str(exc).upper():
        reason = _("无法与县级中心建立加密连接（{url}）。请核对地址应以 https:// 还是 http:// 开头，"
                   "或联系县中心。").format(url=url)
        return NetworkError(_later(reason), code="tls_handshake", reason=reason)
    reason = _describe_network(exc, url)
    return NetworkError(_later(reason), code="network", reason=reason)


def _describe_network(exc: Exception, url: str) -> str:
    """What went wrong, ending in a comma for what comes next."""
    if isinstance(exc, httpx.TimeoutException):
        return _("连接县级中心超时（{url}），").format(url=url)
    if isinstance(exc, httpx.ConnectError):
        return _("无法连接县级中心（{url}），可能是网络未连通，").format(url=url)
    return _("与县级中心的连接中断（{url}），").format(url=url)


def base_url_of(url: str) -> str:
    """The county center's address as typed or copied: with or without the API path.

    ``county-center serve`` prints the API's own address (…/api/v1); a clerk may paste that.
    """
    url = url.strip().rstrip("/")
    if url.endswith(P.API_PATH.rstrip("/")):
        url = url[: -len(P.API_PATH.rstrip("/"))].rstrip("/")
    return url


class CountyClient:
    """One device's connection to the county center."""

    def __init__(self, base_url: str, token: str | None = None,
                 transport: httpx.BaseTransport | None = None,
                 verify: bool | ssl.SSLContext = True, timeout: float = 30.0,
                 protocol_version: int = P.PROTOCOL_VERSION) -> None:
        self.base_url = base_url_of(base_url)
        self.protocol_version = protocol_version
        headers = {P.VERSION_HEADER: str(protocol_version), "User-Agent": "clerk-app-sync"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.base_url + P.API_PATH, headers=headers,
                                  transport=transport, verify=verify,
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CountyClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- requests -----------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            log.info("sync %s %s: %s", method, path, type(exc).__name__)
            raise _network_error(exc, self.base_url) from None
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        if status < 300:
            return body
        code = str(body.get("error") or status)
        server_msg = str(body.get("message") or "")
        log.info("sync %s %s: HTTP %s %s", method, path, status, code)
        if status == 401:
            raise AuthError(_auth_message(code), code=code)
        if status == 426 or code == "protocol_version":
            raise VersionError(_version_message(self.protocol_version, body), code="protocol_version",
                               **{k: body.get(k) for k in ("min_protocol", "max_protocol", "client_is")})
        if status == 413:
            raise TooLarge(_("一批数据超过县级中心的上限，已改为分小批上传。"), code=code,
                           max_bytes=body.get("max_bytes"), max_records=body.get("max_records"))
        if status == 404 and self._no_county_center(path, body):
            raise NotACountyCenter(_not_county_message(self.base_url, self.protocol_version),
                                   code="not_county_center")
        if status >= 500 or status == 429:
            reason = _("县级中心暂时出错（HTTP {status}），").format(status=status)
            raise ServerError(_later(reason), code=f"http_{status}", reason=reason)
        raise RequestRefused(server_msg or _("县级中心拒绝了请求（HTTP {status}）。").format(status=status),
                             code=code)

    def _no_county_center(self, path: str, body: dict[str, Any]) -> bool:
        """After a 404: is the API itself missing at this address (not a county's "no such
        thing" answer)? The handshake path missing says so; for another path, the handshake
        is asked once."""
        if path == "/info":
            return True
        if body.get("error") and body.get("message"):
            return False  # the county's own answer (e.g. an unknown service point)
        try:
            answer = self._http.request("GET", "/info")
        except httpx.HTTPError:
            return False
        return answer.status_code == 404

    def info(self) -> dict[str, Any]:
        return self._request("GET", "/info")

    def enrol(self, code: str, division_code: str, device_no: int, device_name: str) -> dict[str, Any]:
        return self._request("POST", "/enrol", json={"code": code, "division_code": division_code,
                                                     "device_no": device_no,
                                                     "device_name": device_name})

    def push(self, records: list[dict[str, Any]], batch_id: str = "") -> list[dict[str, Any]]:
        body = json.dumps({"batch_id": batch_id, "records": records}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        answer = self._request("POST", "/push", content=body,
                               headers={"Content-Type": "application/json"})
        results = answer.get("results")
        if not isinstance(results, list) or len(results) != len(records):
            raise ServerError(_("县级中心的答复不完整，稍后自动重试。"), code="bad_answer")
        return results

    def pull(self, after: int, limit: int = P.PULL_LIMIT) -> dict[str, Any]:
        answer = self._request("GET", "/pull", params={"after": after, "limit": limit})
        if not isinstance(answer.get("entries"), list) or not isinstance(answer.get("cursor"), int):
            raise ServerError(_("县级中心的答复不完整，稍后自动重试。"), code="bad_answer")
        return answer


def _auth_message(code: str) -> str:
    if code == "token_revoked":
        why = _("本机的同步凭据已被县级中心注销")
    elif code == "token_expired":
        why = _("本机的同步凭据已过期")
    else:
        why = _("县级中心不认可本机的同步凭据")
    return _("{why}，自动同步已停止（待上传的记录都保留在本机）。请向县级中心索取新的注册码，"
             "在「同步设置」中重新注册本机。").format(why=why)


def _not_county_message(url: str, mine: int) -> str:
    return _("地址 {url} 有应答，但不像是支持第 {mine} 版同步协议的县级中心（找不到同步接口 {api}），"
             "暂时无法同步；待上传的记录都保留在本机。请在「同步设置」中核对县级中心地址；"
             "地址无误时，请升级窗口受理程序或联系县级中心。").format(url=url, mine=mine, api=P.API_PATH)


def _version_message(mine: int, body: dict[str, Any]) -> str:
    lo, hi = body.get("min_protocol"), body.get("max_protocol")
    if body.get("client_is") == "new" or (isinstance(hi, int) and mine > hi):
        return _("本程序的同步协议（第 {mine} 版）比县级中心新（县级中心支持第 {lo}–{hi} 版），"
                 "暂时无法同步；待上传的记录都保留在本机。请联系县级中心升级服务端。").format(mine=mine, lo=lo, hi=hi)
    return _("本程序的同步协议（第 {mine} 版）已过旧（县级中心要求第 {lo}–{hi} 版），暂时无法同步；"
             "待上传的记录都保留在本机。请升级窗口受理程序后再同步。").format(mine=mine, lo=lo, hi=hi)
