"""Uploaded files: the type is read from the content (magic bytes), must match the extension, and is size-capped;
every stored file keeps its SHA-256 so a later copy can be checked against the record."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

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
    return CheckedFile(base, actual, CONTENT_TYPES[actual], len(content), hashlib.sha256(content).hexdigest())
