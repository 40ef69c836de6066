"""CSV cells that a spreadsheet will not run (formats README §7, "CSV output").

Harassers write `=HYPERLINK("https://attacker.invalid", "click")` into comments on purpose:
a report opened in Excel or LibreOffice would turn it into a live link or a formula. Every
cell Himaya writes to CSV goes through `neutralise_cell`; the stored evidence keeps the
original text untouched.
"""

from __future__ import annotations

from collections.abc import Iterable

# A leading = + - @ starts a formula; tab and CR are read as a cell break and then a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """`value` with a `'` in front if a spreadsheet would read it as a formula, else unchanged."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise_row(values: Iterable[object]) -> list[str]:
    """A row for `csv.writer`: None as an empty cell, everything else as neutralised text."""
    return [neutralise_cell("" if v is None else str(v)) for v in values]
