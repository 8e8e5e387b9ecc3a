"""Keyring backends for tests: in memory (one process), a JSON file (across processes), and
one locked at first (in memory).

The file backend is for subprocess tests only (``PYTHON_KEYRING_BACKEND`` =
``tests.sync.keyrings.FileKeyring`` with ``CLERK_TEST_KEYRING_FILE``); it is plaintext and
never used outside the test suite.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["CLERK_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}|{username}"] = password
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}|{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(data), encoding="utf-8")


class LockedAtFirstKeyring(MemoryKeyring):
    """A keyring that is locked for its first ``locked_calls`` reads (as the Secret Service is
    until the user's login unlocks it, or Windows' before its service has started), then
    answers from its store."""

    def __init__(self, store: dict[tuple[str, str], str] | None = None, locked_calls: int = 1) -> None:
        super().__init__()
        self.store = dict(store or {})
        self.locked_calls = locked_calls
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        if self.reads <= self.locked_calls:
            raise KeyringLocked("the collection is locked")
        return super().get_password(service, username)
