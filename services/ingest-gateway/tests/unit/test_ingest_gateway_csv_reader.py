"""The streaming CSV reader: the same rows whichever way the bytes are split as they arrive."""

from __future__ import annotations

import pytest

from lateral_ingest_gateway.domain.csv_reader import CsvRows, FileProblem

FILE = (
    "\ufeffsource_record_id,address_line_1,surname\r\n"
    'A1,"Flat 2\r\nRiverside House",Nowak\r\n'
    "\r\n"
    'A2,"12 ""The Maltings""",Ó Súilleabháin\r\n'
    "A3,4 Mill Lane,Smith"
).encode()
ROWS = [
    (2, ["A1", "Flat 2\r\nRiverside House", "Nowak"]),
    (5, ["A2", '12 "The Maltings"', "Ó Súilleabháin"]),
    (6, ["A3", "4 Mill Lane", "Smith"]),
]


def read(
    data: bytes, piece: int, **options: int
) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    reader, rows = CsvRows(**options), []
    for start in range(0, len(data), piece):
        rows += reader.feed(data[start : start + piece])
    rows += reader.finish()
    return reader.header, [(row.line, row.cells) for row in rows]


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, len(FILE)])
def test_rows_do_not_depend_on_how_the_bytes_arrive(piece: int) -> None:
    header, rows = read(FILE, piece)
    assert header == ["source_record_id", "address_line_1", "surname"]
    assert rows == ROWS


def test_a_row_longer_than_the_limit_is_damage_not_buffered() -> None:
    with pytest.raises(FileProblem, match="row starting on line 2 is longer than 100"):
        read(b'id,notes\r\nA1,"' + b"x" * 500 + b'"\r\n', 16, max_row_chars=100)
    with pytest.raises(FileProblem, match="line 2 is longer than 100"):
        read(b"id,notes\r\nA1," + b"x" * 500, 16, max_row_chars=100)
