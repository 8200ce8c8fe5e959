"""A checked CSV file cut into segments, each parsed on its own (as a worker process does), gives
exactly the rows, and row numbers, of the file read in one go — whatever the piece sizes, with
quoted fields that hold line breaks, commas and quotes, CRLF line ends and a byte-order mark."""

from __future__ import annotations

import codecs

import pytest

from lateral_ingest_gateway.domain.csv_reader import CsvRow, CsvRows, FileProblem
from lateral_ingest_gateway.domain.csv_segments import CsvSegment, CsvSegments

ROWS = [
    'ED-1,"Flat 3\r\nRiverside Court",Zoë',
    "ED-2,12 Mill Lane,Siobhan",
    "",
    'ED-3,"He said ""hi"", then\nleft\n\nfor good",李',
    "ED-4,,",
    ',"",',
    'ED-5,"a,b","c\r\nd"',
] * 7
HEADER = "source_record_id,address_line_1,forename\r\n"
FILE = codecs.BOM_UTF8 + (HEADER + "\r\n".join(ROWS)).encode()


def whole_file_rows(data: bytes) -> list[CsvRow]:
    reader = CsvRows()
    return reader.feed(data) + reader.finish()


def segment_rows(segments: list[CsvSegment], header: list[str]) -> list[CsvRow]:
    rows = []
    for segment in segments:
        reader = CsvRows(header=None if segment.first_line == 1 else header,
                         first_line=segment.first_line)  # fmt: skip
        rows += reader.finish(segment.text())
    return rows


@pytest.mark.parametrize("piece", [1, 7, 64, 100_000])
@pytest.mark.parametrize("lines", [1, 2, 5, 1000])
def test_segments_parse_to_the_rows_of_the_whole_file(piece: int, lines: int) -> None:
    cutter = CsvSegments(lines)
    segments = [s for n in range(0, len(FILE), piece) for s in cutter.feed(FILE[n : n + piece])]
    segments += cutter.finish()
    expected = whole_file_rows(FILE)

    assert b"".join(s.data for s in segments) == FILE.removeprefix(codecs.BOM_UTF8)
    assert segment_rows(segments, ["source_record_id", "address_line_1", "forename"]) == expected
    assert len(expected) == 5 * 7  # the blank line and the one of empty cells are skipped
    if lines == 1 and piece == 100_000:
        assert len(segments) > len(expected)  # a cut after every row at least


def test_a_segment_that_is_not_utf8_says_the_file_changed() -> None:
    cutter = CsvSegments(10)
    (segment,) = cutter.feed(b"a,b\n\xff\xfe,c\n") + cutter.finish()
    with pytest.raises(FileProblem, match="changed while it was being processed"):
        segment.text()
