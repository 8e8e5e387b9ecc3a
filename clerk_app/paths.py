"""Every folder the program uses, resolved in one place.

Order of precedence for the data folder: an explicit ``--data-dir`` (passed to
:func:`set_data_dir`), then the ``CLERK_APP_DATA_DIR`` environment variable, then the user's
data folder as platformdirs reports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "clerk-app"
ENV_DATA_DIR = "CLERK_APP_DATA_DIR"

_override: Path | None = None


class DataDirError(Exception):
    """The data folder cannot be created or written; ``message`` says what to do (Chinese)."""

    def __init__(self, folder: Path, reason: str) -> None:
        from clerk_app.i18n import _

        self.folder = folder
        self.message = _(
            "无法使用数据目录 {folder}：{reason}。\n"
            "请换一个可写的目录（--data-dir 或环境变量 {env}），或请管理员检查该目录的权限。"
        ).format(folder=folder, reason=reason, env=ENV_DATA_DIR)
        super().__init__(self.message)


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Use ``path`` as the data folder for the rest of the process (None clears it)."""
    global _override
    _override = Path(path).expanduser().resolve() if path else None


def data_dir() -> Path:
    if _override is not None:
        folder = _override
    elif os.environ.get(ENV_DATA_DIR):
        folder = Path(os.environ[ENV_DATA_DIR]).expanduser().resolve()
    else:
        folder = Path(user_data_dir(APP_NAME, appauthor=False))
    _ensure_writable(folder)
    return folder


def _ensure_writable(folder: Path) -> None:
    from clerk_app.i18n import _

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(folder, _("同名的文件已存在，它不是目录")) from None
    except OSError as exc:
        from clerk_app.oserrors import describe

        raise DataDirError(folder, _("无法创建（{error}）").format(error=describe(exc, writing=True))) from None
    if not folder.is_dir():
        raise DataDirError(folder, _("它不是目录"))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataDirError(folder, _("没有写入权限"))


def database_path() -> Path:
    return data_dir() / "clerk.sqlite3"


def documents_dir() -> Path:
    """Where printed documents are kept as PDF (each print is also archived)."""
    folder = data_dir() / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_dir() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def resources_dir() -> Path:
    return Path(__file__).resolve().parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
