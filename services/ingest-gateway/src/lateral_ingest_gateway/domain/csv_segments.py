"""Cutting a CSV file already checked as a whole into segments of rows, for parsing elsewhere.

A segment is whole lines of the file, cut where no quoted field is open (an even number of
quote characters before the cut), so each can be parsed on its own — in another process — with
the same rows as the file read in one go. The file is cut as bytes (a line break and a quote are
single bytes in UTF-8, never part of another character), with a few operations per segment, not
per row: the rows themselves are decoded, parsed, validated and encoded by whoever takes the
segment. Memory holds one segment and one incoming piece of the file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .csv_reader import FileProblem

CHANGED = ("The file changed while it was being processed (it is no longer UTF-8 text); send it "
           "again once it is complete.")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CsvSegment:
    first_line: int  # the line of the file its data starts on (the header is on line 1)
    data: bytes  # whole lines of the file, each ending in a line break (the last may not)

    def text(self) -> str:
        """The segment's text; `FileProblem` if it is not UTF-8 (the file was replaced)."""
        try:
            return self.data.decode()
        except UnicodeDecodeError:
            raise FileProblem("file", CHANGED) from None


class CsvSegments:
    """Feed it the file's bytes in pieces; get back segments of about `lines` lines each."""

    def __init__(self, lines: int) -> None:
        self._lines = max(lines, 1)
        self._data = b""  # not yet in a segment
        self._next_line = 1
        self._started = False

    def feed(self, data: bytes) -> list[CsvSegment]:
        """The segments completed by this piece of the file."""
        self._data += data
        if not self._started and len(self._data) >= len(codecs.BOM_UTF8):
            self._data = self._data.removeprefix(codecs.BOM_UTF8)
            self._started = True
        segments = []
        while (cut := self._cut()) is not None:
            segments.append(self._segment(cut))
        return segments

    def finish(self) -> list[CsvSegment]:
        """The rest of the file, once all of it has been fed."""
        segments = self.feed(b"")
        if self._data:
            segments.append(self._segment(len(self._data)))
        return segments

    def _cut(self) -> int | None:
        """Where the next segment ends: after its `lines`-th line break, or the first one after
        that with no quoted field open; None until the data has that much."""
        data, end = self._data, -1
        if data.count(b"\n") < self._lines:
            return None
        for _ in range(self._lines):
            end = data.find(b"\n", end + 1)
        quotes = data.count(b'"', 0, end)
        while quotes % 2:  # a quoted field runs over this line break: take the next line too
            following = data.find(b"\n", end + 1)
            if following < 0:
                return None
            quotes += data.count(b'"', end, following)
            end = following
        return end + 1

    def _segment(self, cut: int) -> CsvSegment:
        data, self._data = self._data[:cut], self._data[cut:]
        segment = CsvSegment(self._next_line, data)
        self._next_line += data.count(b"\n")
        return segment
