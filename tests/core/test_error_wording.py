"""What a failed file write or enrolment tells the person at the counter."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from clerk_app.oserrors import describe
from clerk_app.services import documents, intake
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
