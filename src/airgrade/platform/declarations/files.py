"""Uploaded files: the type is read from the content (magic bytes), must match the extension, and is size-capped;
every stored file keeps its SHA-256 so a later copy can be checked against the record.

A matching signature is not enough (issue 8, defect 11): "%PDF-" followed by HTML is a web page to a browser that
sniffs, and a PDF may carry JavaScript or a launch action that runs when a reviewer opens it. So a PDF must parse
(pypdf) and hold no active content anywhere in its object graph; no file may carry HTML or script markup
(polyglots); and nothing may follow the format's end marker (PDF %%EOF, PNG IEND, JPEG EOI).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.http import content_disposition_header
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from airgrade.platform.errors import ServiceError

# Signatures of the accepted types; anything else is refused whatever its name says.
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg"}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "AIRGRADE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_upload(name: str, content: bytes, allowed: tuple[str, ...] = ("pdf", "png", "jpg")) -> CheckedFile:
    """Refuse a file that is empty, too large, of a type not allowed, or not what its extension says."""
    base = (name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not base:
        raise ServiceError("文件名为空", field="file")
    extension = ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""
    claimed = EXTENSIONS.get(extension)
    allowed_names = "、".join(k.upper() for k in allowed)
    if claimed is None or claimed not in allowed:
        raise ServiceError(f"文件 {base}：只接受 {allowed_names} 文件", field="file")
    if not content:
        raise ServiceError(f"文件 {base} 为空", field="file")
    if len(content) > max_bytes():
        raise ServiceError(f"文件 {base} 超过大小上限 {max_bytes() // (1024 * 1024)} MB", field="file")
    actual = next((kind for kind, sigs in MAGIC.items() if content.startswith(sigs)), None)
    if actual != claimed:
        shown = actual.upper() if actual else "无法识别的格式"
        raise ServiceError(f"文件 {base}：扩展名为 {extension}，但内容是 {shown}，与扩展名不符", field="file")
    _refuse_active_content(base, actual, content)
    return CheckedFile(base, actual, CONTENT_TYPES[actual], len(content), hashlib.sha256(content).hexdigest())


# Markup that makes a file a web page to whatever sniffs it. Long markers are searched in the whole file (a chance
# match in compressed data is negligible); short ones only where browsers sniff, the first kilobyte.
POLYGLOT_ANYWHERE = re.compile(rb"<\s*(?:script|html|!doctype|iframe)|<\?php|javascript:", re.IGNORECASE)
POLYGLOT_HEAD = re.compile(rb"<\s*(?:svg|body|head|object|embed|meta|form|img|a\s)", re.IGNORECASE)
SNIFFED_BYTES = 1024
# PDF names that run code or open other programs when the document is opened or clicked.
ACTIVE_PDF_KEYS = {"/JS", "/JavaScript", "/AA", "/RichMedia", "/XFA"}
ACTIVE_PDF_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm"}
MAX_PDF_OBJECTS = 200_000
TRAILING_ALLOWED = b" \t\r\n\x00"


def _refuse_active_content(base: str, kind: str, content: bytes) -> None:
    if POLYGLOT_ANYWHERE.search(content) or POLYGLOT_HEAD.search(content, 0, SNIFFED_BYTES):
        raise ServiceError(f"文件 {base} 含有网页或脚本代码，不能作为证明材料", field="file")
    ends = {"pdf": b"%%EOF", "png": b"IEND\xaeB`\x82", "jpg": b"\xff\xd9"}[kind]
    end = content.rfind(ends)
    if end < 0 or content[end + len(ends) :].strip(TRAILING_ALLOWED):
        raise ServiceError(f"文件 {base} 结尾不完整或附带了其他数据，请重新导出后上传", field="file")
    if kind == "pdf":
        _refuse_active_pdf(base, content)


def _pdf_objects(reader: PdfReader) -> Iterator[Any]:
    """Every object reachable from the trailer, each once (indirect references followed, cycles cut)."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    count = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        count += 1
        if count > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        yield obj
        if isinstance(obj, DictionaryObject):  # streams are dictionaries too
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _refuse_active_pdf(base: str, content: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ServiceError(f"文件 {base} 是加密的 PDF，审核人员无法打开，请去除密码后上传", field="file")
        if len(reader.pages) == 0:
            raise ValueError("no pages")
        for obj in _pdf_objects(reader):
            if not isinstance(obj, DictionaryObject):
                continue
            active = ACTIVE_PDF_KEYS.intersection(obj.keys())
            if active or obj.get("/S") in ACTIVE_PDF_ACTIONS:
                raise ServiceError(
                    f"文件 {base} 含有脚本或自动执行的动作（JavaScript、启动程序等），不能作为证明材料", field="file"
                )
    except ServiceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise ServiceError(f"文件 {base} 不是有效的 PDF 文件", field="file") from None


def stored_evidence(user: Any, declaration_id: int, evidence_id: int) -> tuple[Any, bytes]:
    """An evidence file and its bytes for a caller who may see the declaration: the enterprise, its county, city and
    province, an expert assigned to it. Anyone else — and a file of another declaration — is "not found"."""
    from airgrade.platform.declarations.models import EvidenceFile
    from airgrade.platform.declarations.services import get_declaration
    from airgrade.platform.errors import Conflict, NotFound

    declaration = get_declaration(user, declaration_id)
    evidence = EvidenceFile.objects.filter(pk=evidence_id, declaration=declaration).first()
    if evidence is None:
        raise NotFound("证明材料不存在或不在您的管辖范围内")
    with evidence.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != evidence.sha256:
        raise Conflict(f"证明材料 {evidence.original_name} 与登记时的校验值不符，请联系管理员")
    return evidence, content


def attachment(evidence: Any, content: bytes) -> Any:
    """The download response: always an attachment of the recorded type, never sniffed, never run in the page."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Opened in a tab by mistake, the file still may not run script or reach anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
