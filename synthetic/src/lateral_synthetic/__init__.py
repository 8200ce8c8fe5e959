"""Deterministic synthetic partner data for demos, tests and benchmarks.

Only synthetic people: invented addresses (postcode area "NX", UPRNs from 900000000001), Faker
names, and NHS numbers in the never-issued 9xx range with a valid Modulus 11 check digit.
"""

from .dataset import FEEDS, DemoDataset, Feed, generate_demo, split_counts
from .nhs import is_valid as is_valid_nhs_number

__all__ = ["FEEDS", "DemoDataset", "Feed", "generate_demo", "is_valid_nhs_number", "split_counts"]
