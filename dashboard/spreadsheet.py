"""CSV that a spreadsheet opens as text: outside text (an organization's name, a note) that
starts like a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``) is prefixed with ``'`` so Excel,
Sheets and LibreOffice show it instead of running it (OWASP's "CSV injection")."""

from __future__ import annotations

import datetime as dt

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """One CSV cell: datetimes in ISO 8601, None empty, formula-like text neutralised. Numbers
    stay numbers (a negative count is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
