"""Only clerk_app/ui may import PySide6; the core must import without Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "clerk_app"


def qt_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "PySide6" for a in node.names):
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "PySide6":
            lines.append(node.lineno)
    return lines


def test_no_qt_outside_ui():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui":
            continue
        if qt_imports(path):
            offenders.append(str(rel))
    assert offenders == []
    assert any(qt_imports(p) for p in (PACKAGE / "ui").rglob("*.py"))  # the check itself works


def test_core_imports_without_qt():
    code = (
        "import sys, importlib, pkgutil, clerk_app\n"
        "for m in pkgutil.walk_packages(clerk_app.__path__, 'clerk_app.'):\n"
        "    if m.name.startswith('clerk_app.ui') or '.migrations' in m.name: continue\n"
        "    importlib.import_module(m.name)\n"
        "assert not any(k.startswith('PySide6') for k in sys.modules), 'Qt imported'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
