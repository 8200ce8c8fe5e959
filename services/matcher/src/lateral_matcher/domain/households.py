"""Addresses and households: the address a record attaches to, and who lives there.

An address is its UPRN from the cleanser, else the cleanser's normalised address key. A household
is the set of people with a record at the same address within the window, counted back from the
latest activity there (so a family that moved out a year before the newest callout is not shown
as living there). Address-only records (police, fire) attach to the address, and so to its
household. A pseudo-postcode (ZZ99: no fixed abode, not known) is not an address: records there
attach to no address and never form a household.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from lateral_shared.contracts.records import CleanAddress, CleanRecord, RecordStatus

PSEUDO_POSTCODE_AREA = "ZZ99"
DEFAULT_WINDOW = timedelta(days=365)


def household_address_key(address: CleanAddress | None) -> str | None:
    """The key a record's address is filed under, or None if it is not a real address."""
    if address is None or address.no_fixed_abode:
        return None
    postcode = (address.postcode or "").replace(" ", "").upper()
    if postcode.startswith(PSEUDO_POSTCODE_AREA):
        return None
    if address.address_key:
        return address.address_key
    return f"uprn:{address.uprn}" if address.uprn else None


def last_active(record: CleanRecord) -> date:
    """The last day a record shows someone at its address (open records: their start)."""
    return max(record.event_date, record.end_date or record.event_date)


def household_members(
    at_address: Sequence[tuple[str | None, CleanRecord]], *, window: timedelta = DEFAULT_WINDOW
) -> list[str]:
    """The person IDs in the household: a record there within `window` of the latest activity.

    `at_address` is (person ID, record) for every live record at the address, address-only
    records (person None) included: their activity counts towards the latest date.
    """
    if not at_address:
        return []
    latest = max(last_active(record) for _, record in at_address)
    since = latest - window
    members = {
        person_id
        for person_id, record in at_address
        if person_id is not None and (_is_open(record) or last_active(record) >= since)
    }
    return sorted(members)


def _is_open(record: CleanRecord) -> bool:
    return record.end_date is None and record.status is RecordStatus.OPEN
