"""Load the address gazetteer from a CSV file in the BS7666 layout.

Columns (header required, any order, extra columns ignored):
`uprn,parent_uprn,sao,pao,street,locality,town,postcode,x,y`. Blank cells mean absent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from lateral_cleanser.domain import Gazetteer, GazetteerEntry, entry_from_row

REQUIRED_COLUMNS = ("uprn", "parent_uprn", "sao", "pao", "street", "locality", "town", "postcode")


class GazetteerFileError(ValueError):
    """The gazetteer file cannot be used; the message says why and what to do."""


def load_gazetteer(path: Path) -> Gazetteer:
    """The gazetteer in `path`; raises GazetteerFileError naming the problem (never a value)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise GazetteerFileError(
                    f"The gazetteer file lacks the columns {', '.join(missing)}; "
                    "give a CSV with the header uprn,parent_uprn,sao,pao,street,locality,town,"
                    "postcode,x,y."
                )
            return Gazetteer(_entries(reader))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise GazetteerFileError(
            f"The gazetteer file cannot be read ({type(error).__name__}); "
            "check LATERAL_GAZETTEER_PATH points to a UTF-8 CSV file."
        ) from None


def _entries(reader: csv.DictReader[str]) -> Iterator[GazetteerEntry]:
    for line, row in enumerate(reader, start=2):
        try:
            yield entry_from_row(row)
        except (ValueError, KeyError, TypeError):
            raise GazetteerFileError(
                f"Gazetteer line {line}: the UPRN or parent UPRN is not a number; fix the row."
            ) from None
