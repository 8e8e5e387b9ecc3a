"""Settings declared once: key, type, default and description.

Values live in the ``settings`` table (``services.common.get_setting/set_setting``); a setting
never holds a secret (those go through ``clerk_app.credentials``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from clerk_app.i18n import _
from clerk_app.services.common import ServiceError, get_setting, set_setting

T = TypeVar("T")

SETTINGS_VERSION = 1


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _format_bool(value: bool) -> str:
    return "1" if value else "0"


@dataclass(frozen=True)
class SettingVar(Generic[T]):
    key: str
    type: type
    default: T
    description: str
    check: Callable[[T], str] | None = None  # returns a Chinese message when the value is bad

    def parse(self, text: str | None) -> T:
        if text is None:
            return self.default
        try:
            if self.type is bool:
                return _parse_bool(text)  # type: ignore[return-value]
            return self.type(text)  # type: ignore[no-any-return]
        except (TypeError, ValueError):
            return self.default

    def format(self, value: T) -> str:
        if self.type is bool:
            return _format_bool(bool(value))
        return str(value)

    def get(self, s: Session) -> T:
        return self.parse(get_setting(s, self.key))

    def set(self, s: Session, value: Any) -> None:
        value = self.type(value) if self.type is not bool else bool(value)
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise ServiceError(problem, field=self.key)
        set_setting(s, self.key, self.format(value))


def _check_url(url: str) -> str:
    if not url:
        return ""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _("县级中心地址应以 https:// 开头，例如 https://zwfw.example.gov.cn/county。")
    return ""


def _check_interval(seconds: int) -> str:
    if not 30 <= seconds <= 24 * 3600:
        return _("同步间隔应在 30 秒到 24 小时（86400 秒）之间。")
    return ""


def _check_ca(path: str) -> str:
    if path and not Path(path).is_file():
        return _("找不到证书文件 {path}，请选择县级中心提供的 CA 证书（PEM 格式）。").format(path=path)
    return ""


SYNC_URL: SettingVar[str] = SettingVar(
    "sync.url", str, "", _("县级中心地址（例如 https://zwfw.example.gov.cn/county）"), _check_url)
SYNC_INTERVAL: SettingVar[int] = SettingVar(
    "sync.interval_seconds", int, 300, _("自动同步间隔（秒）"), _check_interval)
SYNC_TLS_VERIFY: SettingVar[bool] = SettingVar(
    "sync.tls_verify", bool, True, _("校验县级中心的 TLS 证书（关闭有安全风险，仅限测试）"))
SYNC_CA_BUNDLE: SettingVar[str] = SettingVar(
    "sync.ca_bundle", str, "", _("自定义 CA 证书文件（PEM），县级中心使用内部证书时填写"), _check_ca)
SYNC_BATCH_SIZE: SettingVar[int] = SettingVar(
    "sync.batch_size", int, 200, _("每批上传的记录数"),
    lambda n: "" if 1 <= n <= 500 else _("每批记录数应在 1 到 500 之间。"))

ALL: tuple[SettingVar[Any], ...] = (SYNC_URL, SYNC_INTERVAL, SYNC_TLS_VERIFY, SYNC_CA_BUNDLE,
                                    SYNC_BATCH_SIZE)
VERSION_KEY = "settings.version"


def migrate(s: Session) -> None:
    """Bring stored settings to SETTINGS_VERSION (nothing to convert yet)."""
    stored = int(get_setting(s, VERSION_KEY, "0") or 0)
    if stored < SETTINGS_VERSION:
        set_setting(s, VERSION_KEY, str(SETTINGS_VERSION))
