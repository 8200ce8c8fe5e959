"""Which UPRN a record ends with: the partner's, the gazetteer's, or none — always with a flag."""

import pytest

from lateral_cleanser.domain import Gazetteer
from lateral_cleanser.domain.addresses import clean_address
from lateral_shared.contracts import AddressFields

TWELVE, TWENTY_ONE, BLOCK, FLAT_3 = "900000000001", "900000000002", "900000000004", "900000000005"


def clean(gazetteer: Gazetteer | None, lines: list[str], postcode: str, uprn: str | None = None):
    address, flags = clean_address(
        AddressFields(lines=lines, postcode=postcode, uprn=uprn), gazetteer=gazetteer
    )
    uprn_codes = {f.code for f in flags if f.field == "address.uprn"}
    return address, uprn_codes


def test_without_a_gazetteer_the_partners_uprn_is_kept_and_nothing_is_looked_up() -> None:
    address, codes = clean(None, ["12 High Street"], "NX1 1AB", "10023")
    assert (address.uprn, address.uprn_method, address.uprn_confidence) == (
        "10023",
        "partner",
        None,
    )
    assert address.address_key == "uprn:10023"
    assert codes == set()
    bare, codes = clean(None, ["12 High Street"], "NX1 1AB")
    assert (bare.uprn, bare.uprn_method, bare.address_key) == (
        None,
        None,
        "addr:12 HIGH STREET|NX1 1AB",
    )


@pytest.mark.parametrize(
    ("lines", "partner_uprn", "uprn", "method", "code"),
    [
        # The gazetteer agrees: the partner's UPRN is kept, confirmed.
        (["12 High Street"], TWELVE, TWELVE, "partner", "uprn_confirmed"),
        # A flat in the building the address names: the partner's flat is kept.
        (["14 High Street"], FLAT_3, FLAT_3, "partner", "uprn_confirmed"),
        # A neighbour's UPRN: the address wins and the record is flagged.
        (["12 High Street"], TWENTY_ONE, TWELVE, "exact", "uprn_contradicts_address"),
        # The building's UPRN for a flat: the flat's UPRN is more precise.
        (["Flat 3", "14 High Street"], BLOCK, FLAT_3, "exact", "uprn_refined_to_flat"),
        # Contradicted, and the address matches nothing: no UPRN rather than a wrong one.
        (["99 High Street"], TWENTY_ONE, None, None, "uprn_contradicts_address"),
        # Unknown to the gazetteer, nothing to compare with: kept, flagged.
        (["99 High Street"], "123456", "123456", "partner", "uprn_not_in_gazetteer"),
        # Nothing in the address to contradict it: kept.
        ([], TWELVE, TWELVE, "partner", "uprn_kept"),
    ],
)  # fmt: skip
def test_a_partners_uprn_against_the_gazetteer(  # noqa: PLR0917 (one parameter per column)
    gazetteer: Gazetteer,
    lines: list[str],
    partner_uprn: str,
    uprn: str | None,
    method: str | None,
    code: str,
) -> None:
    address, codes = clean(gazetteer, lines, "NX1 1AB", partner_uprn)
    assert (address.uprn, address.uprn_method) == (uprn, method)
    assert code in codes


def test_a_found_uprn_becomes_the_address_key_with_method_and_confidence(
    gazetteer: Gazetteer,
) -> None:
    address, codes = clean(gazetteer, ["12 Hihg St", "Ashbury"], "nx1 1ab")
    assert (address.uprn, address.uprn_method) == (TWELVE, "fuzzy")
    assert address.uprn_confidence is not None and 0.8 < address.uprn_confidence < 1
    assert address.address_key == f"uprn:{TWELVE}"
    assert codes == {"uprn_fuzzy"}


@pytest.mark.parametrize(
    ("lines", "postcode", "code"),
    [
        (["5 Church"], "NX1 3EF", "uprn_ambiguous"),
        (["13 High Street"], "NX1 1AB", "uprn_not_found"),
        (["12 High Street"], "NX9 9ZZ", "uprn_postcode_unknown"),
        ([], "NX1 1AB", "uprn_not_looked_up"),
    ],
)
def test_no_uprn_is_flagged_with_the_reason(
    gazetteer: Gazetteer, lines: list[str], postcode: str, code: str
) -> None:
    address, codes = clean(gazetteer, lines, postcode)
    assert address.uprn is None
    assert codes == {code}


def test_a_block_without_a_flat_gets_the_buildings_uprn_and_says_so(gazetteer: Gazetteer) -> None:
    address, codes = clean(gazetteer, ["14 High Street"], "NX1 1AB")
    assert address.uprn == BLOCK
    assert codes == {"uprn_exact", "uprn_building"}


def test_pseudo_postcodes_are_never_looked_up(gazetteer: Gazetteer) -> None:
    address, codes = clean(gazetteer, ["12 High Street"], "ZZ99 3VZ")
    assert (address.uprn, address.address_key, address.no_fixed_abode) == (None, None, True)
    assert codes == set()


def test_flag_messages_quote_no_address_or_uprn(gazetteer: Gazetteer) -> None:
    _, flags = clean_address(
        AddressFields(lines=["12 High Street"], postcode="NX1 1AB", uprn=TWENTY_ONE),
        gazetteer=gazetteer,
    )
    text = " ".join(f.message for f in flags).upper()
    assert all(value not in text for value in ["HIGH", "NX1", TWELVE, TWENTY_ONE, "12"])
