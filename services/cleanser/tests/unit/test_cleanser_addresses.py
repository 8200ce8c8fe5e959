"""Addresses: the key that says two records are about the same home."""

from lateral_cleanser.domain.addresses import clean_address
from lateral_shared.contracts import AddressFields


def test_uprn_is_the_key_when_given() -> None:
    address, _ = clean_address(
        AddressFields(lines=["12 High St"], postcode="LS6 2AB", uprn="10023")
    )
    assert address.address_key == "uprn:10023"
    assert address.uprn == "10023"


def test_leading_zeros_of_a_uprn_are_removed() -> None:
    address, flags = clean_address(AddressFields(uprn="000000010023"))
    assert address.address_key == "uprn:10023"
    assert ("address.uprn", "reformatted") in {(f.field, f.code) for f in flags}


def test_first_line_and_postcode_make_the_key_without_a_uprn() -> None:
    address, _ = clean_address(AddressFields(lines=["12 High Street", "Leeds"], postcode="ls62ab"))
    assert address.address_key == "addr:12 HIGH STREET|LS6 2AB"
    assert address.postcode == "LS6 2AB"
    assert address.outward_code == "LS6"
    assert address.no_fixed_abode is False


def test_spelling_variants_of_one_address_share_a_key() -> None:
    variants = ["12 High Street", "12, High St", "12 high street.", "12  HIGH  ST"]
    keys = {
        clean_address(AddressFields(lines=[v], postcode="LS6 2AB"))[0].address_key for v in variants
    }
    assert keys == {"addr:12 HIGH STREET|LS6 2AB"}


def test_saint_at_the_start_is_not_a_street() -> None:
    address, _ = clean_address(AddressFields(lines=["St John's Court"], postcode="LS6 2AB"))
    assert address.address_key == "addr:ST JOHNS COURT|LS6 2AB"


def test_no_key_without_a_line_or_a_valid_postcode() -> None:
    assert clean_address(AddressFields(postcode="LS6 2AB"))[0].address_key is None
    assert clean_address(AddressFields(lines=["12 High Street"]))[0].address_key is None
    invalid, flags = clean_address(AddressFields(lines=["12 High Street"], postcode="XX"))
    assert (invalid.address_key, invalid.postcode) == (None, None)
    assert "invalid" in [f.code for f in flags]


def test_no_fixed_abode_has_no_key_even_with_lines_or_uprn() -> None:
    address, flags = clean_address(
        AddressFields(lines=["Unknown"], postcode="ZZ99 3VZ", uprn="10023")
    )
    assert address.no_fixed_abode is True
    assert address.address_key is None
    assert address.postcode == "ZZ99 3VZ"
    assert "no_fixed_abode" in [f.code for f in flags]


def test_address_not_known_pseudo_postcode_is_not_no_fixed_abode() -> None:
    address, _ = clean_address(AddressFields(lines=["1 Any Road"], postcode="ZZ99 3WZ"))
    assert address.address_key is None
    assert address.no_fixed_abode is False


def test_lines_are_tidied_and_blank_lines_dropped() -> None:
    address, flags = clean_address(AddressFields(lines=["12  High Street", "", "Leeds"]))
    assert address.lines == ["12 High Street", "Leeds"]
    assert ("address.lines", "normalised") in {(f.field, f.code) for f in flags}
