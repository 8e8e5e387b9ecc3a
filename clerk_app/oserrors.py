"""Operating-system errors in words a counter's staff can act on."""

from __future__ import annotations

import errno

from clerk_app.i18n import _


def describe(exc: OSError) -> str:
    """A short Chinese reason for a failed file operation."""
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
