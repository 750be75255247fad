"""HTML → PDF with the headless Chromium the project already installs for page tests (Debian `chromium`), so
Chinese text is set in the embedded Noto CJK font (Debian `fonts-noto-cjk`) without a network or a new package."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from airgrade.core.errors import AirgradeError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class PdfError(AirgradeError, RuntimeError):
    """The PDF could not be produced; the message is for users (Chinese)."""


def chromium_path() -> str:
    configured = os.environ.get("AIRGRADE_CHROMIUM")
    for candidate in (configured, *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise PdfError("未找到 Chromium，无法生成 PDF；请执行 make setup 安装 Debian 软件包 chromium 和 fonts-noto-cjk")


def html_to_pdf(html: str, timeout: float = 60.0) -> bytes:
    """Print an HTML document to PDF (A4, no browser header or footer)."""
    browser = chromium_path()
    with tempfile.TemporaryDirectory(prefix="airgrade-pdf-") as folder:
        source = Path(folder) / "document.html"
        target = Path(folder) / "document.pdf"
        source.write_text(html, "utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError("生成 PDF 超时") from None
        if not target.exists() or target.stat().st_size == 0:
            raise PdfError("生成 PDF 失败（Chromium 未输出文件）")
        return target.read_bytes()
