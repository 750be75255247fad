"""Readers and writers of the official files: Excel workbooks and Word/PDF documents."""
