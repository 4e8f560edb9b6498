"""Reading user-supplied tables (CSV exports) into pandas, with one-line errors.

Every column is read as text: HubSpot sends every property value as a string, and the
scoring criteria parse what they need, so a CSV export and a synced page look the same to
them. Empty cells are missing values (NaN), never the empty string.
"""

from __future__ import annotations

import codecs
import csv
import warnings
from pathlib import Path

import pandas as pd

from connector.errors import LeadscoreError

_DELIMITERS = ",;\t|"


def read_table(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV file with a header row into a DataFrame of text columns.

    The delimiter (`,`, `;`, tab or `|`) is sniffed from the header line.
    The index is a plain range; choosing an id column is the caller's business. A UTF-8
    byte-order mark (as Excel writes) is accepted. Raises `LeadscoreError` with a one-line
    message when the file is missing, not UTF-8, empty, malformed, has duplicate column
    names, or has a header but no rows.
    """
    if not path.is_file():
        raise LeadscoreError(f"{path}: no such file")
    header, delimiter = _read_header(path)
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        names = ", ".join(duplicates)
        raise LeadscoreError(f"{path}: duplicate column names in the header: {names}")
    try:
        with warnings.catch_warnings():
            # pandas only warns when a row has more fields than the header, then drops data.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                path,
                index_col=False,
                sep=delimiter,
                dtype=str,
                encoding="utf-8-sig",
                # "NA", "null", "none" are real answers in free-text fields: only empty is missing.
                keep_default_na=False,
                na_values=[""],
            )
    except pd.errors.EmptyDataError as exc:
        raise LeadscoreError(f"{path}: the file is empty (expected a header row and data)") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise LeadscoreError(f"{path}: malformed CSV: {_first_line(str(exc))}") from exc
    if table.empty:
        raise LeadscoreError(f"{path}: the file has a header but no rows")
    return table


def _read_header(path: Path) -> tuple[list[str], str]:
    """The header row's column names and the file's delimiter, after a UTF-8 check.

    The check runs over the raw bytes first so that a bad byte anywhere gives its line
    number, rather than surfacing halfway through parsing. The delimiter is sniffed from
    the header line among `,`, `;`, tab and `|` because European spreadsheet exports use
    semicolons; a single-column header means a comma.
    """
    _check_utf8(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    if not header or all(not name.strip() for name in header):
        raise LeadscoreError(f"{path}: the file is empty (expected a header row and data)")
    return header, delimiter


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = line + chunk.count(b"\n", 0, max(exc.start, 0))
                byte = chunk[exc.start : exc.start + 1].hex() if exc.start >= 0 else "??"
                raise LeadscoreError(
                    f"{path}: not UTF-8 text (byte 0x{byte} on line {bad}); "
                    "export the file again as UTF-8"
                ) from exc
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise LeadscoreError(
                f"{path}: not UTF-8 text (truncated character at the end of the file); "
                "export the file again as UTF-8"
            ) from exc


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable row"
