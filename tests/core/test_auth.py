"""Operators: slow hashes, lockout, roles."""

from __future__ import annotations

import pytest

from clerk_app.services import auth
from clerk_app.services.common import PermissionDenied, ServiceError


def test_hash_is_salted_scrypt_and_verifies():
    h1, h2 = auth.hash_password("abc12345"), auth.hash_password("abc12345")
    assert h1 != h2 and h1.startswith("scrypt$")
    assert auth.verify_password("abc12345", h1)
    assert not auth.verify_password("abc12346", h1)
    assert not auth.verify_password("abc12345", "garbage")


def test_lockout_after_repeated_failures(demo_ctx, clock):
    for i in range(auth.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(ServiceError, match="还可尝试"):
            auth.login(demo_ctx, "zhangli", "wrong")
    with pytest.raises(ServiceError, match="已锁定"):
        auth.login(demo_ctx, "zhangli", "wrong")
    with pytest.raises(ServiceError, match="分钟后再试"):
        auth.login(demo_ctx, "zhangli", "demo1234")  # even the right password
    clock.advance(minutes=16)
    assert auth.login(demo_ctx, "zhangli", "demo1234").username == "zhangli"


def test_roles(demo_ctx, clerk, supervisor):
    with pytest.raises(PermissionDenied):
        auth.add_operator(demo_ctx, clerk, "wangwu", "王五", "clerk", "abc12345")
    with pytest.raises(ServiceError, match="至少"):
        auth.add_operator(demo_ctx, supervisor, "wangwu", "王五", "clerk", "abc")
    with pytest.raises(ServiceError, match="用户名"):
        auth.add_operator(demo_ctx, supervisor, "王五", "王五", "clerk", "abc12345")
    new = auth.add_operator(demo_ctx, supervisor, "wangwu", "王五", "clerk", "abc12345")
    with pytest.raises(ServiceError, match="已存在"):
        auth.add_operator(demo_ctx, supervisor, "WangWu", "王五", "clerk", "abc12345")
    auth.set_operator_active(demo_ctx, supervisor, new.id, False)
    with pytest.raises(ServiceError):
        auth.login(demo_ctx, "wangwu", "abc12345")


@pytest.mark.parametrize("name, why", [
    ("", "请填写姓名"),
    ("   ", "请填写姓名"),
    ("王<b>五</b><img src=x>", "< 或 >"),
    ("王五>", "< 或 >"),
    ("王" * 31, "最多 30 个字"),
    ("王\n五", "控制字符"),
    ("王\t五", "控制字符"),
    ("王\u202e五", "控制字符"),  # right-to-left override
    ("王\u200b五", "控制字符"),  # zero-width space
])
def test_display_names_are_checked(demo_ctx, supervisor, name, why):
    with pytest.raises(ServiceError, match=why) as info:
        auth.add_operator(demo_ctx, supervisor, "wangwu", name, "clerk", "abc12345")
    assert info.value.field == "display_name"
    assert "wangwu" not in [op.username for op in auth.list_operators(demo_ctx)]


def test_display_names_that_are_fine(demo_ctx, supervisor):
    for i, name in enumerate(("王五", "  买买提·艾力  ", "𠮷" * 30, "Li Ming", "王五（窗口二）")):
        actor = auth.add_operator(demo_ctx, supervisor, f"user{i}", name, "clerk", "abc12345")
        assert actor.name == name.strip()
    assert auth.display_name_problem(" 王五 ") == ""


def test_unlocking_speaks_of_the_password_and_counts_like_a_login(demo_ctx, clerk):
    for i in range(auth.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(ServiceError) as info:
            auth.unlock(demo_ctx, clerk, "wrong")
        assert info.value.message.startswith("密码不正确") and "用户名" not in info.value.message
    with pytest.raises(ServiceError, match="已锁定"):
        auth.unlock(demo_ctx, clerk, "wrong")
    assert not auth.check_password(demo_ctx, clerk, "demo1234")  # locked now


def test_unlocking_a_disabled_account_says_so(demo_ctx, clerk, supervisor):
    assert auth.unlock(demo_ctx, clerk, "demo1234").username == "zhangli"
    auth.set_operator_active(demo_ctx, supervisor, clerk.id, False)
    with pytest.raises(ServiceError, match="已停用") as info:
        auth.unlock(demo_ctx, clerk, "demo1234")
    assert "用户名" not in info.value.message


@pytest.mark.parametrize("password, why", [
    (" " * 8, "全是空格"),
    ("\t" * 10, "全是空格"),
    ("12345678", "字母和数字"),
    ("abcdefgh", "字母和数字"),
    ("!!!!!!!!", "字母和数字"),
    ("abc!@#$%", "字母和数字"),
    ("        1", "开头和结尾"),
    (" abc12345", "开头和结尾"),
    ("abc12345 ", "开头和结尾"),
    ("ab1", "至少需要"),
])
def test_weak_passwords_are_refused_everywhere(demo_ctx, supervisor, clerk, password, why):
    assert why in auth.password_problem(password)
    with pytest.raises(auth.ServiceError, match=why):
        auth.add_operator(demo_ctx, supervisor, "newone", "新人", "clerk", password)
    with pytest.raises(auth.ServiceError, match=why):
        auth.reset_password(demo_ctx, clerk, clerk.id, password)


@pytest.mark.parametrize("password", ["abc12345", "Window 2026", "密码abc123"])
def test_passwords_with_a_letter_and_a_digit_are_fine(password):
    assert auth.password_problem(password) == ""
