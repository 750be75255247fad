"""Documents officials exchange: DOCX (python-docx) and PDF (headless Chromium, fonts embedded)."""
