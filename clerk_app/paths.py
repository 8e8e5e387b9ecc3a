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
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
