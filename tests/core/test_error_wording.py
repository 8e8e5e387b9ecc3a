"""What a failed file write or enrolment tells the person at the counter."""

from __future__ import annotations

import errno
from pathlib import Path

import httpx
import pytest

from clerk_app.credentials import Credentials
from clerk_app.oserrors import describe
from clerk_app.services import documents, intake, sync_admin
from clerk_app.sync.client import NetworkError, ServerError
from tests.core.test_agents_support import MemoryKeys
from tests.core.test_intake import all_received, item_named, person


def test_no_such_file_in_a_folder_that_exists_is_a_folder_that_cannot_be_written(tmp_path):
    refused = OSError(errno.ENOENT, "No such file or directory", str(tmp_path / "x.pdf"))
    assert "不能写入" in describe(refused, writing=True) and "不存在" not in describe(refused, writing=True)
    missing = OSError(errno.ENOENT, "No such file or directory", str(tmp_path / "gone" / "x.pdf"))
    assert describe(missing, writing=True) == "目录不存在"
    assert describe(refused) == "目录不存在"  # reading: unchanged


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_printing_into_a_folder_that_refuses_files_says_so(demo_ctx, clerk):
    item = item_named(demo_ctx, "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    with pytest.raises(documents.ServiceError) as info:
        documents.save_pdf(demo_ctx, clerk, out.document_id, "a4", Path("/proc/x.pdf"))
    message = info.value.message
    assert "/proc/x.pdf" in message and "不能写入" in message and "只读" in message
    assert "目录不存在" not in message


def _refusing(handler):
    return httpx.MockTransport(handler)


def _down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _busy(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json={})


@pytest.mark.parametrize("handler, kind, lead", [(_down, NetworkError, "无法连接县级中心"),
                                                 (_busy, ServerError, "县级中心暂时出错")])
def test_an_enrolment_that_cannot_reach_the_county_says_to_run_it_again(demo_ctx, supervisor, handler,
                                                                        kind, lead):
    with pytest.raises(kind) as info:
        sync_admin.enrol(demo_ctx, supervisor, "http://county.example", "CODE-1",
                         credentials=Credentials(MemoryKeys()), transport=_refusing(handler))
    message = info.value.message
    assert message.startswith(lead)
    assert "请检查网络和县级中心地址后重新执行注册" in message and "自动重试" not in message
    assert not sync_admin.overview(demo_ctx).enrolled
