"""Pure cleansing rules: names, dates of birth, gender, NHS numbers, postcodes, addresses and UPRNs.

Each rule returns the cleaned value and the `QualityFlag`s that say what it changed or dropped.
A flag's message names the problem and never quotes the value (it may be personal data).
"""

from .gazetteer import Gazetteer, GazetteerEntry, entry_from_row
from .record import cleanse_record, content_hash

__all__ = ["Gazetteer", "GazetteerEntry", "cleanse_record", "content_hash", "entry_from_row"]
