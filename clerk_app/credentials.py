"""The one place secrets go: the device's sync token, kept only in the OS keyring.

Never in the database, the settings or a log. The keyring backend can be injected (tests use
an in-memory one); on a machine without a usable keyring every call raises
``CredentialsUnavailable`` with a message saying what to do, instead of a plaintext fallback.
"""

from __future__ import annotations

import logging

from clerk_app.i18n import _

SERVICE = "clerk-app/county-sync"

log = logging.getLogger(__name__)


class CredentialsUnavailable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Credentials:
    """Get, store and forget the token of an enrolled device (keyed by its device id)."""

    def __init__(self, backend=None) -> None:  # noqa: ANN001 - a keyring backend instance
        self._backend = backend

    def _keyring(self):  # noqa: ANN202
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def _unavailable(self, exc: Exception) -> CredentialsUnavailable:
        log.warning("keyring unavailable: %s", type(exc).__name__)  # never the secret itself
        return CredentialsUnavailable(
            _("本机的系统钥匙串（凭据管理器）不可用，无法保存或读取同步凭据。"
              "请在 Windows 凭据管理器或 Linux 的 Secret Service（如 GNOME 钥匙串）可用后重试。")
        )

    def get_token(self, device_id: str) -> str | None:
        try:
            return self._keyring().get_password(SERVICE, device_id)
        except Exception as exc:  # keyring backends raise many kinds
            raise self._unavailable(exc) from None

    def set_token(self, device_id: str, token: str) -> None:
        try:
            self._keyring().set_password(SERVICE, device_id, token)
        except Exception as exc:
            raise self._unavailable(exc) from None
        if self.get_token(device_id) != token:  # e.g. the null backend: stores nothing
            raise self._unavailable(RuntimeError("token not stored"))

    def check(self) -> None:
        """Raise CredentialsUnavailable unless a secret can be stored and read back.

        Called before a one-time enrolment code is spent, so that a machine without a
        working keyring finds out before the county has registered it.
        """
        probe_id = "clerk-app-probe"
        self.set_token(probe_id, "probe")
        self.delete_token(probe_id)

    def delete_token(self, device_id: str) -> None:
        try:
            self._keyring().delete_password(SERVICE, device_id)
        except Exception as exc:  # PasswordDeleteError when absent: nothing to forget
            log.info("no token to delete (%s)", type(exc).__name__)
