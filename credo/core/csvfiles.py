"""The one way credo reads a CSV file that someone uploaded (a roster, a bulk award).

Spreadsheets save CSV in many ways: with a byte-order mark, with Windows (CRLF), Unix (LF) or old Mac (CR only)
line endings, with blank lines at the end, with quoted cells that span lines. ``read_csv`` accepts all of them
and numbers each record by the line it starts on, as a spreadsheet numbers its rows (the header is line 1), so a
problem can be reported where the person will find it. Anything it cannot read is a ``CsvError`` (a
``ValidationError``) that says what to fix, never an exception from the csv module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError


class CsvError(ValidationError):
    """The file cannot be read as CSV; ``line`` is where reading stopped (0: the whole file)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header (names lower-cased, spaces made underscores) and its records, each with its line."""

    header: list[str]
    records: list[tuple[int, dict[str, str]]]
    #: For each record with more cells than the header has names: how many more.
    extra_cells: dict[int, int]


def decode(data: bytes, *, max_bytes: int) -> str:
    """The upload as text: UTF-8, with or without a byte-order mark, at most ``max_bytes``."""
    if len(data) > max_bytes:
        raise CsvError(f"The file is larger than {_size(max_bytes)}; split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")  # spreadsheets often write a byte-order mark
    except UnicodeDecodeError:
        raise CsvError("The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'.") from None
    if "\x00" in text:
        raise CsvError("The file holds NUL characters, so it is not a CSV file: save it again as 'CSV UTF-8'.")
    return text


def _size(count: int) -> str:
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count // 1024} KB"


def header_name(name: str) -> str:
    """How a column is named in credo's terms: 'Full name' and 'full_name' are the same column."""
    return name.strip().lower().replace(" ", "_")


def read_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record of the text with the line it starts on; blank records are left out."""
    # newline="" hands the csv module the line endings as they are (CR, LF or CRLF), as its documentation asks,
    # so a record ending in a lone CR is a record, and a quoted cell may hold any of them.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    starts_at = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield starts_at, record
            starts_at = reader.line_num + 1
    except csv.Error as error:
        raise CsvError(
            f"Line {starts_at} is not valid CSV ({error}): check its quotes, then save the file again as CSV.",
            line=starts_at,
        ) from None


def read_csv(text: str, *, max_records: int | None = None) -> CsvTable:
    """The header and the records of a CSV text; ``CsvError`` if it is empty, malformed or too long."""
    records = read_records(text)
    first = next(records, None)
    if first is None:
        raise CsvError("The file is empty: its first line names the columns.")
    header = [header_name(name) for name in first[1]]
    rows: list[tuple[int, dict[str, str]]] = []
    extra: dict[int, int] = {}
    for line, record in records:
        if max_records is not None and len(rows) == max_records:
            raise CsvError(f"The file has more than {max_records:,} rows; split it into smaller files.")
        rows.append((line, dict(zip(header, record, strict=False))))
        if len(record) > len(header):
            extra[line] = len(record) - len(header)
    return CsvTable(header=header, records=rows, extra_cells=extra)
