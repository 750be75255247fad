"""The one base of every error airgrade raises on purpose: `except AirgradeError` catches bad input and refused
actions from the core (rule book, facts, lists, units, credit codes) and the platform's service errors alike.

Each subclass also keeps the built-in type it has always been (ValueError, LookupError…), so existing handlers work.
"""

from __future__ import annotations


class AirgradeError(Exception):
    """Base of airgrade's own errors; the message is for users (Chinese) and names what is wrong."""
