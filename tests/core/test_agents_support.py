"""Builders for the agent tests: a township computer, an agent's laptop (another database),
an in-memory keyring, reading a handover sheet's QR code back from its PDF as a scanner does.

(Named test_*.py so it sits with the tests it serves; it holds no tests of its own.)
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from clerk_app.domain.status import MaterialState
from clerk_app.services import agents, auth, commissions, intake, setup
from clerk_app.services.common import Actor, Context
from clerk_app.store.db import Database
from tests.core.helpers import gb11643, person

VILLAGE = "420528101001"  # 湖口社区居委会, 龙舟坪镇
VILLAGE2 = "420528101003"  # 龙门社区居委会
AGENT_PASSWORD = "daiban2026"
ITEM = "最低生活保障申请"


class MemoryKeys(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@dataclass
class Township:
    ctx: Context
    supervisor: Actor
    clerk: Actor


def make_township(folder: Path, clock, device_no: int = 1) -> Township:  # noqa: ANN001
    """A counter of the demo township; its device number fixed (the demo's is random)."""
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context(Database(folder / "clerk.sqlite3"), clock)
    assert setup.set_up_demo(ctx)
    from clerk_app.services.common import set_setting

    with ctx.tx() as s:
        set_setting(s, "device_no", str(device_no))
    return Township(ctx, auth.login(ctx, "admin", "demo1234"), auth.login(ctx, "zhangli", "demo1234"))


def make_laptop(folder: Path, clock) -> Context:  # noqa: ANN001
    folder.mkdir(parents=True, exist_ok=True)
    return Context(Database(folder / "laptop.sqlite3"), clock)


def agent_input(name: str = "李秀英", id17: str = "42052819700101002", username: str = "lixiuying",
                villages: list[str] | None = None, phone: str = "13907170002") -> agents.AgentInput:
    return agents.AgentInput(name=name, id_number=gb11643(id17), phone=phone,
                             villages=villages or [VILLAGE], username=username,
                             password=AGENT_PASSWORD)


def item_named(ctx: Context, name: str = ITEM):  # noqa: ANN201
    return next(it for it in commissions.proxy_items(ctx) if it.name == name)


def principal(name: str = "张三", id17: str = "42052819550312001") -> intake.ApplicantInput:
    return person(name=name, id17=id17)


def all_collected(c) -> list:  # noqa: ANN001 - a Commission
    lines = commissions.lines_of(c)
    for ln in lines:
        if not ln.required:
            ln.condition_applies = False
            ln.state = MaterialState.NOT_APPLICABLE
        else:
            ln.state = ln.expected_state()
            ln.copies_received = ln.copies_required
    return lines


def read_qr(pdf: bytes, folder: Path) -> str:
    """Render the PDF's first page and decode its QR code with zbarimg, as a scanner reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sheet.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path),
                    str(folder / "page")], check=True)
    page = next(folder.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sqrcode.enable", str(page)],
                         capture_output=True, text=True, check=True)
    codes = [line for line in out.stdout.splitlines() if line.startswith("DBJJ")]
    assert codes, out.stdout
    return codes[0]


def pdf_text(pdf: bytes, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def tools_present() -> bool:
    return all(shutil.which(t) for t in ("pdftoppm", "zbarimg", "pdftotext"))
