"""Deterministic synthetic partner data for demos, tests and benchmarks.

Only synthetic people: invented places (postcode areas such as "NX" that no real postcode uses,
UPRNs from 900000000000), names from Faker's lists, and NHS numbers in the never-issued 9xx range
with a valid Modulus 11 check digit. `generate_region` makes a whole region with the truth beside
it; `generate_demo` an exact number of records for the demo; `python -m lateral_synthetic` (also
`lateral synth`) writes a region to a folder.
"""

from .dataset import DemoDataset, generate_demo
from .feeds import CSV_COLUMNS, FEEDS, Feed
from .gazetteer import GAZETTEER_COLUMNS, Property
from .nhs import is_valid as is_valid_nhs_number
from .rates import ERROR_RATES, SIZES
from .region import District, SyntheticRecord, SyntheticRegion, generate_region

__all__ = [
    "CSV_COLUMNS", "ERROR_RATES", "FEEDS", "GAZETTEER_COLUMNS", "SIZES", "DemoDataset", "District",
    "Feed", "Property", "SyntheticRecord", "SyntheticRegion", "generate_demo", "generate_region",
    "is_valid_nhs_number",
]  # fmt: skip
