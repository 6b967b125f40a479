"""Reading uploaded CSV: every way spreadsheets save it is read, and what cannot be read says what to fix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credo.core.csvfiles import CsvError, decode, read_csv

ROWS = [["email", "Full name"], ["a@example.org", "Aroha Ngata"], ["b@example.org", "Sam Jones"]]


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"], ids=["windows", "unix", "old-mac"])
def test_every_line_ending_is_read_with_the_lines_a_spreadsheet_shows(ending: str) -> None:
    table = read_csv(ending.join(",".join(row) for row in ROWS) + ending)
    assert table.header == ["email", "full_name"]
    assert table.records == [
        (2, {"email": "a@example.org", "full_name": "Aroha Ngata"}),
        (3, {"email": "b@example.org", "full_name": "Sam Jones"}),
    ]


def test_a_quoted_cell_may_span_lines_and_the_next_record_keeps_its_own_line_number() -> None:
    table = read_csv('email,note\r\na@example.org,"two\r\nlines"\r\n\r\nb@example.org,one\r\n')
    assert table.records == [
        (2, {"email": "a@example.org", "note": "two\r\nlines"}),
        (5, {"email": "b@example.org", "note": "one"}),
    ]


def test_a_byte_order_mark_is_dropped_and_other_encodings_are_refused_with_what_to_do() -> None:
    assert decode("\ufeffemail\n".encode(), max_bytes=100) == "email\n"
    with pytest.raises(CsvError, match="Save it from your spreadsheet as 'CSV UTF-8'"):
        decode("émail\n".encode("latin-1"), max_bytes=100)
    with pytest.raises(CsvError, match="larger than 1 KB"):
        decode(b"x" * 1025, max_bytes=1024)
    with pytest.raises(CsvError, match="NUL"):
        decode(b"email\x00\n", max_bytes=100)


def test_broken_quotes_name_the_line_where_the_record_starts() -> None:
    with pytest.raises(CsvError, match="Line 3 is not valid CSV") as refused:
        read_csv('email,name\na@example.org,Aroha\nb@example.org,"Sam\n')
    assert refused.value.line == 3


def test_an_empty_file_and_too_many_rows_are_refused() -> None:
    with pytest.raises(CsvError, match="empty"):
        read_csv("\n\n")
    with pytest.raises(CsvError, match="more than 2 rows"):
        read_csv("email\na\nb\nc\n", max_records=2)


def test_extra_cells_are_counted_for_the_caller_to_report() -> None:
    assert read_csv("email\na,b,c\n").extra_cells == {2: 2}


cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)


@given(st.lists(st.lists(cell, min_size=2, max_size=2), min_size=1, max_size=6), st.sampled_from(["\r\n", "\n", "\r"]))
def test_whatever_a_csv_writer_writes_is_read_back(rows: list[list[str]], ending: str) -> None:
    import csv
    import io

    out = io.StringIO()
    # A spreadsheet quotes a cell holding any line break. Python's writer quotes only the line ending's own
    # characters, so it could write a bare CR or LF that no reader can tell from the end of a line: quote then.
    breaks = any("\r" in value or "\n" in value for row in rows for value in row)
    quoting = csv.QUOTE_ALL if breaks else csv.QUOTE_MINIMAL
    csv.writer(out, lineterminator=ending, quoting=quoting).writerows([["a", "b"], *rows])
    table = read_csv(out.getvalue())
    expected = [dict(zip(["a", "b"], row, strict=True)) for row in rows if any(value.strip() for value in row)]
    assert [record for _, record in table.records] == expected
