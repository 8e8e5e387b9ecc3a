"""Operating-system errors in words a counter's staff can act on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from clerk_app.i18n import _


def describe(exc: OSError, writing: bool = False) -> str:
    """A short Chinese reason for a failed file operation.

    ``writing``: the operation creates or writes ``exc.filename``. "No such file" then means
    a missing folder only if the folder is missing; in a folder that exists (a read-only or
    special file system such as /proc refuses new files with that same error) it says the
    folder cannot be written.
    """
    if writing and exc.errno == errno.ENOENT and exc.filename:
        parent = Path(os.fsdecode(exc.filename)).parent
        if parent.is_dir():
            return _("所在目录 {folder} 不能写入，没有权限或是只读的").format(folder=parent)
    reasons = {
        errno.ENOENT: _("目录不存在"),
        errno.EACCES: _("没有权限"),
        errno.EPERM: _("没有权限"),
        errno.EROFS: _("所在磁盘是只读的"),
        errno.ENOSPC: _("磁盘已满"),
        errno.EISDIR: _("这是一个目录，不是文件"),
        errno.ENOTDIR: _("路径中有一部分不是目录"),
        errno.EEXIST: _("同名的文件已存在"),
        errno.ENAMETOOLONG: _("文件名太长"),
    }
    return reasons.get(exc.errno or -1, exc.strerror or str(exc))
