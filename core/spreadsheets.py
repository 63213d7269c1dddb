"""CSV files for French Excel, written the same way by every export (registrations, allowance, sortition
panels, newsletter subscribers): UTF-8 with a BOM, `;` between cells, CRLF, and no cell ever run as a
formula."""

import csv

#: A cell starting with one of these is prefixed with an apostrophe (CSV injection, OWASP).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel reads UTF-8 only after a byte-order mark.
BOM = "\ufeff"


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a value starting with = + - @ (or a tab, a carriage return) is
    prefixed with an apostrophe, so that it is never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_STARTS) else text


def excel_writer(buffer):
    """A csv writer in French Excel's dialect (`;`, CRLF) on `buffer`."""
    return csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
