"""The HTTP side of the county center: ``/api/v1`` (see docs/sync.md and ``/openapi.json``)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from county_center import protocol as P
from county_center import service
from county_center.db import CountyDB
from county_center.service import CountyError

log = logging.getLogger("county_center")


@dataclass
class ServerConfig:
    max_body_bytes: int = P.MAX_BODY_BYTES
    max_batch_records: int = P.MAX_BATCH_RECORDS
    min_protocol: int = P.MIN_PROTOCOL_VERSION
    max_protocol: int = P.MAX_PROTOCOL_VERSION
    test_hooks: bool = False  # fault injection for the test suite only; never in production


@dataclass
class Faults:
    """Server-side fault hooks, present only when ``ServerConfig.test_hooks`` is on."""

    fail_before: int = 0  # the next N pushes fail with 500 before anything is applied
    fail_after: int = 0  # the next N pushes are applied and committed, then answer 500
    delay: float = 0.0  # seconds each push waits before it is handled
    pushes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, name: str) -> bool:
        with self.lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                return True
            return False


# --- wire models (for validation and the OpenAPI document) ------------------------------


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code, e.g. token_revoked, protocol_version")
    message: str = Field(description="plain words (Simplified Chinese) for the person at the counter")


class InfoOut(BaseModel):
    service: str = "county-center"
    protocol_version: int
    min_protocol: int
    max_protocol: int
    max_body_bytes: int
    max_batch_records: int
    max_record_bytes: int
    max_pull_limit: int
    server_time: str


class EnrolIn(BaseModel):
    code: str = Field(description="the one-time enrolment code from the county, e.g. ABCD-EFGH-JKMN")
    division_code: str = Field(description="the device's service point, 12-digit division code")
    device_no: int = Field(ge=1, le=99, description="the device's number at its service point")
    device_name: str = Field("", max_length=100)


class EnrolOut(BaseModel):
    device_id: str
    token: str = Field(description="bearer token; the client keeps it only in the OS keyring")
    token_expires_at: str
    division_code: str
    service_point_name: str
    device_no: int


class RecordIn(BaseModel):
    """One outbox record: a change to one case, with the device's own id for it."""

    model_config = ConfigDict(extra="allow")
    record_id: str = Field(description="client-made unique id (uuid4); a resend reuses it")
    entity: str = Field(description='always "case" in protocol 1')
    key: str = Field(description="the case number (办件编号)")
    seq: int = Field(description="the change's position among the changes of this case, from 1")
    op: str = Field(description="accept | notice | refuse | withdraw | supplement | deliver | update")
    created_at: str = Field(description="when the change was made on the device (local time, ISO 8601)")
    payload: dict[str, Any] = Field(description="the case as it is after the change (snapshot)")


class PushIn(BaseModel):
    batch_id: str = Field("", description="for logs only")
    records: list[RecordIn | dict[str, Any]] = Field(
        description="oldest first; a record that does not fit RecordIn is rejected on its own")


class RecordResult(BaseModel):
    record_id: str
    status: str = Field(description="applied | duplicate | rejected | deferred")
    code: str | None = Field(None, description="why, for rejected and deferred")
    message: str | None = None
    result: dict[str, Any] | None = Field(
        None, description="what the county recorded; the same for the first answer and every resend")


class PushOut(BaseModel):
    results: list[RecordResult]
    server_time: str


class FeedEntryOut(BaseModel):
    seq: int
    kind: str = Field(description="case_status | catalog | calendar | calendar_year | operator | setting"
                                  " | agent | commission | handover")
    key: str
    data: dict[str, Any]
    at: str


class PullOut(BaseModel):
    entries: list[FeedEntryOut]
    cursor: int = Field(description="pass as `after` next time")
    more: bool


# --- app --------------------------------------------------------------------------------


ERRORS = {401: {"model": ErrorBody}, 413: {"model": ErrorBody}, 426: {"model": ErrorBody}}


def create_app(db: CountyDB, config: ServerConfig | None = None) -> FastAPI:
    config = config or ServerConfig()
    app = FastAPI(
        title="County center sync API (县级政务服务中心 同步接口)",
        version=f"{P.PROTOCOL_VERSION}",
        description="The county side of the counter client's sync protocol. See docs/sync.md.",
    )
    app.state.db = db
    app.state.config = config
    app.state.faults = Faults() if config.test_hooks else None

    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)

    @app.exception_handler(CountyError)
    async def county_error(_request: Request, exc: CountyError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.http_status)

    def check_version(x_sync_protocol: str | None = Header(None, alias=P.VERSION_HEADER)) -> int:
        try:
            v = int(x_sync_protocol or "")
        except ValueError:
            v = 0
        if not config.min_protocol <= v <= config.max_protocol:
            too = "old" if v < config.min_protocol else "new"
            msg = (f"本机同步协议版本 {v} 过旧，县级中心支持 {config.min_protocol}–{config.max_protocol}，请升级窗口受理程序。"
                   if too == "old" else
                   f"本机同步协议版本 {v} 比县级中心新（县级中心支持 {config.min_protocol}–{config.max_protocol}），请县级管理员升级县级中心。")
            raise CountyError("protocol_version", msg, 426, client_version=v,
                              min_protocol=config.min_protocol, max_protocol=config.max_protocol,
                              client_is=too)
        return v

    def device_of(authorization: str | None = Header(None)) -> str:
        token = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        with db.tx() as s:
            return service.authenticate(s, token).id

    @app.get(f"{P.API_PREFIX}/info", response_model=InfoOut)
    def info() -> InfoOut:
        """Protocol versions and limits; needs no credentials."""
        return InfoOut(protocol_version=P.PROTOCOL_VERSION, min_protocol=config.min_protocol,
                       max_protocol=config.max_protocol, max_body_bytes=config.max_body_bytes,
                       max_batch_records=config.max_batch_records,
                       max_record_bytes=P.MAX_RECORD_BYTES, max_pull_limit=P.MAX_PULL_LIMIT,
                       server_time=service.utcnow().isoformat())

    @app.post(f"{P.API_PREFIX}/enrol", response_model=EnrolOut, responses=ERRORS)
    def enrol(body: EnrolIn, version: int = Depends(check_version)) -> EnrolOut:
        """Enrol a device once with a one-time code; answers its id and bearer token."""
        with db.tx() as s:
            e = service.enrol(s, body.code, body.division_code, body.device_no, body.device_name,
                              protocol_version=version)
        return EnrolOut(device_id=e.device_id, token=e.token,
                        token_expires_at=e.token_expires_at.isoformat(),
                        division_code=e.division_code, service_point_name=e.service_point_name,
                        device_no=e.device_no)

    @app.post(f"{P.API_PREFIX}/push", response_model=PushOut, responses=ERRORS)
    def push(body: PushIn, _v: int = Depends(check_version),
             device_id: str = Depends(device_of)) -> PushOut:
        """Apply a batch of outbox records, oldest first; one answer per record."""
        if len(body.records) > config.max_batch_records:
            raise CountyError("too_many_records",
                              f"一批最多 {config.max_batch_records} 条记录，本批 {len(body.records)} 条。",
                              413, max_records=config.max_batch_records)
        faults = app.state.faults
        if faults is not None:
            if faults.delay:
                time.sleep(faults.delay)
            if faults.take("fail_before"):
                raise RuntimeError("test hook: fail before applying")
        records = [r.model_dump() if isinstance(r, RecordIn) else r for r in body.records]
        results = service.push(db, device_id, records)
        if faults is not None:
            faults.pushes += 1
            if faults.take("fail_after"):
                raise RuntimeError("test hook: applied, then fail")
        return PushOut(results=[RecordResult(**r) for r in results],
                       server_time=service.utcnow().isoformat())

    @app.get(f"{P.API_PREFIX}/pull", response_model=PullOut, responses=ERRORS)
    def pull(after: int = Query(0, ge=0), limit: int = Query(P.DEFAULT_PULL_LIMIT, ge=1),
             _v: int = Depends(check_version), device_id: str = Depends(device_of)) -> PullOut:
        """What this device must learn after the cursor: case decisions, catalog, calendar, operators."""
        with db.tx() as s:
            device = s.get(service.Device, device_id)
            entries, cursor, more = service.pull(s, device, after, limit)
        return PullOut(entries=[FeedEntryOut(**e) for e in entries], cursor=cursor, more=more)

    return app


class BodyLimit:
    """ASGI middleware: refuse a request body over the limit with 413 (declared or streamed),
    and state the protocol version on every answer."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((P.VERSION_HEADER.lower().encode(), str(P.PROTOCOL_VERSION).encode()))
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send_with_version)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            if int(declared) <= 8 * self.max_bytes:
                await self._drain(receive, 0)
            await self._refuse(send_with_version)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                if message.get("more_body", False):
                    await self._drain(receive, size)
                await self._refuse(send_with_version)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_version)

    async def _drain(self, receive: Any, already: int) -> None:
        """Read and drop the rest of a refused body *before* answering: the server closes the
        connection right after the 413, and closing a socket with unread data resets it, which
        can make the client lose the answer. Bounded: past eight times the limit the sender is
        answered at once (and may see a reset)."""
        size = already
        while size <= 8 * self.max_bytes:
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                return
            size += len(message.get("body", b""))

    async def _refuse(self, send: Any) -> None:
        response = JSONResponse(
            {"error": "too_large",
             "message": f"请求体超过县级中心的上限 {self.max_bytes} 字节，请分批上传。",
             "max_bytes": self.max_bytes},
            status_code=413, headers={"Connection": "close"})
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}


def utc_iso(value: dt.datetime) -> str:
    return value.isoformat()
