"""Issued documents: turn their frozen content into a PDF, and record each print.

The first print of a document on paper is the original; every later output (paper or PDF)
is marked 补打 (a copy) with the time of the reprint, and recorded. A PDF saved before any
paper print (for the archive, or to send) is recorded too but leaves the original to paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

from sqlalchemy import select

from clerk_app.domain.case_numbers import normalize_case_no
from clerk_app.domain.status import DocKind
from clerk_app.forms.model import DocumentData, MaterialLine
from clerk_app.i18n import _
from clerk_app.services.common import Actor, Context, ServiceError, audit
from clerk_app.store.models import Case, Document, PrintRecord

PAPERS = ("a4", "r80")


def document_data(doc: Document, is_copy: bool = False, reprint_at: dt.datetime | None = None
                  ) -> DocumentData:
    c = dict(doc.content)
    known = {f.name for f in fields(DocumentData)}
    data = {k: v for k, v in c.items() if k in known}
    data["kind"] = doc.kind
    data["doc_no"] = doc.doc_no
    data["issued_at"] = doc.issued_at
    data["due_date"] = dt.date.fromisoformat(c["due_date"]) if c.get("due_date") else None
    for key in ("received", "missing"):
        data[key] = [
            MaterialLine(name=m["name"], form=m.get("form", ""), copies=int(m.get("copies", 1)),
                         note=m.get("note", ""), problem=m.get("problem", ""))
            for m in c.get(key, [])
        ]
    data["is_copy"] = is_copy
    data["reprint_at"] = reprint_at
    return DocumentData(**data)


def get_document(ctx: Context, doc_id: int) -> Document:
    with ctx.tx() as s:
        doc = s.get(Document, doc_id)
        if doc is None:
            raise ServiceError(_("找不到该文书。"))
        return doc


def has_been_printed(ctx: Context, doc_id: int) -> bool:
    """Whether the document has been printed on paper (a saved PDF does not count)."""
    with ctx.tx() as s:
        return s.scalar(
            select(PrintRecord.id).where(PrintRecord.document_id == doc_id,
                                         PrintRecord.medium == "paper").limit(1)
        ) is not None


def render(ctx: Context, doc_id: int, paper: str = "a4", as_copy: bool | None = None) -> tuple[bytes, bool]:
    """The PDF of a document; a copy (补打) when it has been printed before."""
    if paper not in PAPERS:
        raise ServiceError(_("纸张只能是 a4 或 r80（80 毫米小票）。"))
    doc = get_document(ctx, doc_id)
    from clerk_app.forms.documents import render_pdf  # reportlab: only when a page is made

    is_copy = has_been_printed(ctx, doc_id) if as_copy is None else as_copy
    data = document_data(doc, is_copy=is_copy, reprint_at=ctx.clock() if is_copy else None)
    return render_pdf(data, paper), is_copy


def record_print(ctx: Context, actor: Actor | None, doc_id: int, paper: str, target: str,
                 is_copy: bool, medium: str = "paper") -> None:
    with ctx.tx() as s:
        doc = s.get(Document, doc_id)
        if doc is None:
            raise ServiceError(_("找不到该文书。"))
        now = ctx.clock()
        s.add(PrintRecord(document_id=doc_id, at=now, operator_id=actor.id if actor else None,
                          is_copy=is_copy, paper=paper, target=target, medium=medium))
        if medium == "pdf":
            audit(s, now, actor, "document_saved_copy" if is_copy else "document_saved",
                  "document", doc.doc_no, paper=paper, target=target)
        else:
            audit(s, now, actor, "document_reprinted" if is_copy else "document_printed",
                  "document", doc.doc_no, paper=paper, target=target)


def save_pdf(ctx: Context, actor: Actor | None, doc_id: int, paper: str, path: Path) -> bool:
    """Write a document to ``path`` and record it; returns whether it was a copy (补打)."""
    pdf, is_copy = render(ctx, doc_id, paper)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        from clerk_app.oserrors import describe

        raise ServiceError(_("无法写入 {path}：{error}").format(path=path, error=describe(exc, writing=True))) from exc
    record_print(ctx, actor, doc_id, paper, str(path), is_copy, medium="pdf")
    return is_copy


def latest_document(ctx: Context, case_no: str, kind: DocKind) -> Document:
    canonical = normalize_case_no(case_no)
    if canonical is None:
        raise ServiceError(_("办件编号「{no}」格式不对或校验位不符，请核对。").format(no=case_no))
    with ctx.tx() as s:
        case = s.scalar(select(Case).where(Case.case_no == canonical))
        if case is None:
            raise ServiceError(_("找不到办件 {no}。").format(no=canonical))
        doc = s.scalar(
            select(Document).where(Document.case_id == case.id, Document.kind == kind.value)
            .order_by(Document.id.desc()).limit(1)
        )
        if doc is None:
            raise ServiceError(
                _("办件 {no} 没有出具过{kind}。").format(no=canonical, kind=kind.label)
            )
        return doc
