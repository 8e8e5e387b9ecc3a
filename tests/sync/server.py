"""A real county center on a free loopback port (uvicorn in a thread), on SQLite or
PostgreSQL, and a fault-injecting TCP proxy in front of it."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager

import uvicorn
from sqlalchemy import create_engine, text

from county_center.api import ServerConfig, create_app
from county_center.db import CountyDB

PG_ENV = "COUNTY_TEST_PG_URL"


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class PgSchema:
    """A throw-away schema in the test PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = "t_" + uuid.uuid4().hex[:12]
        self._admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{self.name}"'))

    def engine_kwargs(self) -> dict:
        return {"connect_args": {"options": f"-csearch_path={self.name}"}}

    def drop(self) -> None:
        with self._admin.connect() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self._admin.dispose()


class CountyServer:
    """The reference server, running for one test."""

    def __init__(self, backend: str, tmp_path, config: ServerConfig | None = None,  # noqa: ANN001
                 certfile: str | None = None, keyfile: str | None = None) -> None:
        """``certfile``/``keyfile``: serve HTTPS (as ``county-center serve --certfile``)."""
        self.backend = backend
        self.certfile, self.keyfile = certfile, keyfile
        self.schema: PgSchema | None = None
        if backend == "postgresql":
            self.schema = PgSchema(os.environ[PG_ENV])
            self.db = CountyDB(self.schema.url, **self.schema.engine_kwargs())
        else:
            self.db = CountyDB(f"sqlite:///{tmp_path / 'county.sqlite3'}")
        self.config = config or ServerConfig(test_hooks=True)
        self.app = create_app(self.db, self.config)
        self.faults = self.app.state.faults
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http{'s' if self.certfile else ''}://127.0.0.1:{self.port}"

    def start(self) -> CountyServer:
        sock = self._sock or free_socket()
        self._sock = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                timeout_keep_alive=5, access_log=False,
                                ssl_certfile=self.certfile, ssl_keyfile=self.keyfile)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True, name="county-server")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("county server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving (the port stays reserved, so a restart comes back on the same URL)."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None
            # uvicorn closed the listening socket; take the port again for a restart
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            self._sock = sock

    def close(self) -> None:
        self.stop()
        if self._sock is not None:
            self._sock.close()
        self.db.dispose()
        if self.schema is not None:
            self.schema.drop()

    @contextmanager
    def admin(self):  # noqa: ANN201
        with self.db.tx() as s:
            yield s


class FaultProxy:
    """A loopback TCP proxy between client and server that can misbehave on request.

    Modes (``set_mode``): ``pass``; ``refuse`` (accept, then close at once); ``delay``
    (hold each answer ``delay`` seconds); ``cut`` (forward the request, then close the
    connection after ``cut_after`` bytes of the answer: the server has done the work and the
    answer is lost); ``stall`` (forward the request, never answer). ``times`` limits how many
    connections/answers a mode affects before it falls back to ``pass``.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sock = free_socket()
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.mode = "pass"
        self.delay = 0.0
        self.cut_after = 0
        self.times: int | None = None
        self.only_path = ""  # when set, faults hit only answers to requests for this path
        self.lock = threading.Lock()
        self.hits = 0
        self._closing = False
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="fault-proxy")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: str, times: int | None = None, delay: float = 0.0,
                 cut_after: int = 0, only_path: str = "") -> None:
        with self.lock:
            self.mode, self.times, self.delay, self.cut_after = mode, times, delay, cut_after
            self.only_path = only_path

    def _take(self, path: str = "") -> str:
        with self.lock:
            mode = self.mode
            if self.only_path and not path.startswith(self.only_path):
                return "pass"
            if mode != "pass" and self.times is not None:
                self.times -= 1
                if self.times <= 0:
                    self.mode, self.times = "pass", None
            if mode != "pass":
                self.hits += 1
            return mode

    def _accept_loop(self) -> None:
        while not self._closing:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with self.lock:
            refuse = self.mode == "refuse"
        if refuse:
            self._take()
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            client.close()
            return
        self._conns += [client, upstream]
        last_path = [""]
        up = threading.Thread(target=self._pipe_up, args=(client, upstream, last_path), daemon=True)
        up.start()
        self._pipe_down(upstream, client, last_path)

    @staticmethod
    def _pipe_up(src: socket.socket, dst: socket.socket, last_path: list[str]) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                for method in (b"GET ", b"POST ", b"PUT "):
                    if data.startswith(method):
                        last_path[0] = data.split(b" ", 2)[1].decode("latin-1")
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _pipe_down(self, src: socket.socket, dst: socket.socket, last_path: list[str]) -> None:
        """Server → client, where the faults happen (one decision per answer chunk)."""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                mode = self._take(last_path[0])
                if mode == "delay":
                    time.sleep(self.delay)
                elif mode == "cut":
                    dst.sendall(data[: self.cut_after])
                    break
                elif mode == "stall":
                    time.sleep(20)
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self._closing = True
        self.sock.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass
