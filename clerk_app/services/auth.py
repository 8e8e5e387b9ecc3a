"""Operators: password hashing with a slow KDF, login with lockout, and their management."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerk_app.domain.status import Role
from clerk_app.i18n import _
from clerk_app.services.common import Actor, Context, ServiceError, audit, require_supervisor
from clerk_app.store.models import Operator

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
# scrypt cost: about 50 ms per hash on the counter PCs this targets
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
MAX_DISPLAY_NAME_LENGTH = 30
# control characters, line breaks, invisible format characters (bidi overrides, zero-width),
# surrogates and private use: none of them belongs in a name shown on every screen and paper
_BAD_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    enc = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


_LETTER_RE = re.compile(r"[A-Za-z]")
_DIGIT_RE = re.compile(r"[0-9]")


def password_problem(password: str) -> str:
    """The one password rule (set-up, new operators and agents, changes and resets, the
    command line), as the fields' hint says: at least 8 characters, with a letter (A-Z, a-z)
    and a digit (0-9), and no spaces at either end (easily typed by mistake, invisible)."""
    if password.strip() != password:
        if not password.strip():
            return _("密码不能全是空格，请设置至少 {n} 位、含字母和数字的密码。").format(n=MIN_PASSWORD_LENGTH)
        return _("密码的开头和结尾不能有空格。")
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("密码至少需要 {n} 位。").format(n=MIN_PASSWORD_LENGTH)
    if not (_LETTER_RE.search(password) and _DIGIT_RE.search(password)):
        return _("密码需同时包含字母和数字。")
    return ""


def actor_of(op: Operator) -> Actor:
    return Actor(id=op.id, username=op.username, name=op.display_name, role=Role(op.role))


def login(ctx: Context, username: str, password: str) -> Actor:
    """Check a login; counts failures and locks the account after too many."""
    return _check_login(ctx, username, password, unlocking=False)


def unlock(ctx: Context, actor: Actor, password: str) -> Actor:
    """The idle lock: the same operator types their password again.

    Counts failures and locks the account like :func:`login`, but the messages speak of the
    password only: the user name is not typed on the lock screen.
    """
    return _check_login(ctx, actor.username, password, unlocking=True)


def _check_login(ctx: Context, username: str, password: str, unlocking: bool) -> Actor:
    now = ctx.clock()
    username = username.strip()
    with ctx.tx() as s:
        op = s.scalar(select(Operator).where(func.lower(Operator.username) == username.lower()))
        if op is None or not op.active:
            audit(s, now, None, "login_failed", "operator", username, reason="unknown")
            if unlocking:  # disabled (or renamed by the county) while the window was locked
                raise ServiceError(_("该账号已停用，不能解锁。请点「切换用户」用其他账号登录。"),
                                   field="password")
            raise ServiceError(_("用户名或密码不正确。"), field="username")
        if op.locked_until and op.locked_until > now:
            minutes = max(1, int((op.locked_until - now).total_seconds() // 60) + 1)
            raise ServiceError(
                _("该账号因多次输错密码已锁定，请 {minutes} 分钟后再试，或请负责人解锁。").format(
                    minutes=minutes
                ),
                field="password",
            )
        if not verify_password(password, op.password_hash):
            op.failed_attempts += 1
            left = MAX_FAILED_ATTEMPTS - op.failed_attempts
            if left <= 0:
                op.locked_until = now + LOCKOUT
                op.failed_attempts = 0
                audit(s, now, actor_of(op), "locked_out", "operator", op.id)
                message = _("密码连续输错 {n} 次，账号已锁定 {minutes} 分钟。").format(
                    n=MAX_FAILED_ATTEMPTS, minutes=int(LOCKOUT.total_seconds() // 60)
                )
            else:
                audit(s, now, actor_of(op), "login_failed", "operator", op.id)
                if unlocking:
                    message = _("密码不正确，还可尝试 {left} 次。").format(left=left)
                else:
                    message = _("用户名或密码不正确，还可尝试 {left} 次。").format(left=left)
            s.commit()
            raise ServiceError(message, field="password")
        op.failed_attempts = 0
        op.locked_until = None
        audit(s, now, actor_of(op), "login", "operator", op.id)
        return actor_of(op)


def check_password(ctx: Context, actor: Actor, password: str) -> bool:
    """Unlock after the idle lock: the same operator types the password again."""
    try:
        unlock(ctx, actor, password)
    except ServiceError:
        return False
    return True


def display_name_problem(display_name: str) -> str:
    """Why an operator's name (as typed, before stripping) cannot be used; empty when it can."""
    name = display_name.strip()
    if not name:
        return _("请填写姓名。")
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        return _("姓名最多 {n} 个字，现在有 {length} 个字。").format(
            n=MAX_DISPLAY_NAME_LENGTH, length=len(name))
    if "<" in name or ">" in name:
        return _("姓名中不能有 < 或 > 符号。")
    if any(unicodedata.category(ch) in _BAD_NAME_CATEGORIES for ch in name):
        return _("姓名中有换行、制表符或看不见的控制字符，请删掉后重新输入。")
    return ""


def _validate_new(username: str, display_name: str, role: str, password: str) -> None:
    if not USERNAME_RE.match(username):
        raise ServiceError(
            _("用户名只能用 2 到 40 位字母、数字或 _ . -，例如 zhangsan。"), field="username"
        )
    problem = display_name_problem(display_name)
    if problem:
        raise ServiceError(problem, field="display_name")
    if role not in {r.value for r in Role}:
        raise ServiceError(_("角色只能是：clerk（窗口人员）、supervisor（负责人）、agent（代办员）。"))
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")


def create_operator(
    s: Session,
    now: dt.datetime,
    actor: Actor | None,
    username: str,
    display_name: str,
    role: str,
    password: str,
    phone: str = "",
) -> Operator:
    """Create an operator. ``actor`` None only during first set-up."""
    if actor is not None:
        require_supervisor(actor)
    username = username.strip()
    _validate_new(username, display_name, role, password)
    if s.scalar(select(Operator).where(func.lower(Operator.username) == username.lower())):
        raise ServiceError(
            _("用户名 {username} 已存在，请换一个。").format(username=username), field="username"
        )
    op = Operator(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        active=True,
        failed_attempts=0,
        created_at=now,
        phone=phone or None,
    )
    s.add(op)
    s.flush()
    audit(s, now, actor, "operator_created", "operator", op.id, username=username, role=role)
    return op


def add_operator(
    ctx: Context, actor: Actor | None, username: str, display_name: str, role: str, password: str
) -> Actor:
    with ctx.tx() as s:
        return actor_of(create_operator(s, ctx.clock(), actor, username, display_name, role, password))


def list_operators(ctx: Context) -> list[Operator]:
    with ctx.tx() as s:
        return list(s.scalars(select(Operator).order_by(Operator.id)))


def set_operator_active(ctx: Context, actor: Actor, operator_id: int, active: bool) -> None:
    require_supervisor(actor)
    if operator_id == actor.id and not active:
        raise ServiceError(_("不能停用自己的账号。"))
    with ctx.tx() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise ServiceError(_("找不到该操作员。"))
        op.active = active
        audit(s, ctx.clock(), actor, "operator_active" if active else "operator_disabled", "operator", op.id)


def unlock_operator(ctx: Context, actor: Actor, operator_id: int) -> None:
    require_supervisor(actor)
    with ctx.tx() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise ServiceError(_("找不到该操作员。"))
        op.locked_until = None
        op.failed_attempts = 0
        audit(s, ctx.clock(), actor, "operator_unlocked", "operator", op.id)


def reset_password(ctx: Context, actor: Actor, operator_id: int, new_password: str) -> None:
    """A supervisor resets anyone's password; an operator may change their own."""
    if operator_id != actor.id:
        require_supervisor(actor)
    problem = password_problem(new_password)
    if problem:
        raise ServiceError(problem, field="password")
    with ctx.tx() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise ServiceError(_("找不到该操作员。"))
        op.password_hash = hash_password(new_password)
        op.failed_attempts = 0
        op.locked_until = None
        audit(s, ctx.clock(), actor, "password_changed", "operator", op.id)
