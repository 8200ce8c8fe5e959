"""Reading a CSV file's bytes as they arrive, a row at a time, in memory that does not grow with
the file.

Lines go to the `csv` module (strict mode, so damage is reported, not guessed around) only up to a
point where no quoted field is open — an even number of quote characters so far — so a row with a
line break inside quotes is never cut in two. Memory holds one incoming piece of the file and at
most one row; a row longer than `max_row_chars` is reported as damage rather than buffered.
"""

from __future__ import annotations

import codecs
import csv
from collections import deque
from collections.abc import Iterator, Sequence
from typing import NamedTuple

MAX_ROW_CHARS = 1_000_000


class FileProblem(Exception):
    """A problem with a whole file or request body: nothing in it is taken.

    `field` names where it is ("file", "body", "records"); `problem` says what to do. Neither ever
    holds a value from the file.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem

    def __reduce__(self) -> tuple[type[FileProblem], tuple[str, str]]:
        # Raised in a worker process too, and pickled back with both its parts.
        return FileProblem, (self.field, self.problem)


class CsvRow(NamedTuple):  # a tuple: made for every row, twice, and cheaper than a dataclass
    line: int  # the line of the file the row starts on (the header is line 1)
    cells: list[str]


class _Lines(Iterator[str]):
    """The lines the csv reader may read next; it stops, without ending, when they run out."""

    def __init__(self) -> None:
        self.queue: deque[str] = deque()

    def __next__(self) -> str:
        if self.queue:
            return self.queue.popleft()
        raise StopIteration


class CsvRows:
    """Feed it the file's bytes in pieces; get back the rows that are complete so far."""

    def __init__(
        self,
        *,
        max_row_chars: int = MAX_ROW_CHARS,
        header: list[str] | None = None,
        first_line: int = 1,
    ) -> None:
        """`header` and `first_line` are for reading a segment of a file already checked: the
        file's header, and the line of the file the segment starts on."""
        self.header: list[str] | None = header
        self._first_line = first_line
        self._max = max_row_chars
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._lines = _Lines()
        self._reader = csv.reader(self._lines, strict=True)
        self._partial = ""  # text after the last line break
        self._open: list[str] = []  # complete lines of a row whose quoted field is still open
        self._open_chars = 0
        self._in_quotes = False
        self._lines_seen = 0

    def feed(self, data: bytes) -> list[CsvRow]:
        """The rows completed by this piece of the file."""
        return self._rows(self._decode(data, final=False), final=False)

    def finish(self, text: str = "") -> list[CsvRow]:
        """The last rows, once the whole file has been fed (or the rows of a segment's `text`,
        already decoded); checks the file ended cleanly."""
        rows = self._rows(self._decode(b"", final=True) + text, final=True)
        if self._in_quotes:
            raise FileProblem("file", f"The file is damaged: a quoted field opened on line "
                              f"{self._lines_seen - len(self._open) + 1} is never closed. Check "
                              "the quotes around that line and send the file again.")  # fmt: skip
        if self.header is None:
            raise FileProblem("file", "The file is empty; send a header line and at least one "
                              "row.")  # fmt: skip
        return rows

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            return self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            line = self._lines_seen + data[: max(exc.start, 0)].count(b"\n") + 1
            raise FileProblem(
                "file",
                f"The file is not UTF-8 text (line {line} has a byte that "
                "is not); save or export it as UTF-8 and send it again.",
            ) from None

    def _rows(self, text: str, *, final: bool) -> list[CsvRow]:
        text = self._partial + text
        lines = text.split("\n")
        # The text after the last line break is kept for the next piece; at the end it is the
        # last line (when the file does not end with a line break).
        self._partial = lines.pop()
        if final and self._partial:
            lines.append(self._partial)
            self._partial = ""
        if len(self._partial) > self._max:
            raise self._too_long(self._lines_seen + len(lines) + 1)
        quotes = text.count('"') - self._partial.count('"')
        if not self._in_quotes and quotes % 2 == 0:
            # No quoted field open before these lines or after them: the reader may have them
            # all at once (it joins the lines of a quoted field itself).
            self._lines_seen += len(lines)
            self._lines.queue.extend([line + "\n" for line in lines])
        else:
            for line in lines:
                self._add_line(line + "\n")
        return self._drain()

    def _add_line(self, line: str) -> None:
        self._lines_seen += 1
        if line.count('"') % 2:
            self._in_quotes = not self._in_quotes
        if self._in_quotes:
            self._open.append(line)
            self._open_chars += len(line)
            if self._open_chars > self._max:
                raise self._too_long(self._lines_seen - len(self._open) + 1)
            return
        self._lines.queue.extend(self._open)
        self._lines.queue.append(line)
        self._open.clear()
        self._open_chars = 0

    def _drain(self) -> list[CsvRow]:
        rows: list[CsvRow] = []
        reader, first = self._reader, self._first_line
        line = reader.line_num + first  # where the next row starts
        try:
            # One loop over the reader, not a call per row: every row of a file passes here
            # twice (the whole-file check and the worker that prepares it).
            for cells in reader:
                if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                    if self.header is None:
                        self.header = cells
                    else:
                        rows.append(CsvRow(line, cells))
                # else a blank line, or one of only separators, as spreadsheets leave
                line = reader.line_num + first
        except csv.Error as exc:
            raise FileProblem(
                "file",
                f"The file is damaged at line {line} ({exc}); check "
                "the quotes and separators there and send it again.",
            ) from None
        return rows

    def _too_long(self, line: int) -> FileProblem:
        return FileProblem("file", f"The file is damaged: the row starting on line {line} is "
                           f"longer than {self._max:,} characters (often a quote that is never "
                           "closed). Check that row and send the file again.")  # fmt: skip


def cells_by_column(header: Sequence[str], row: CsvRow) -> dict[str, str] | str:
    """The row's cells keyed by column, or the problem if it has too few or too many cells."""
    if len(row.cells) != len(header):
        return (f"has {len(row.cells)} cells but the header has {len(header)} columns; give "
                "every row one cell per column (blank where not known)")  # fmt: skip
    return dict(zip(header, row.cells, strict=True))
