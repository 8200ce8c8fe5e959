"""A record's person details reduced to the forms the comparisons read, computed once per record."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from lateral_shared.contracts.records import CleanPerson, CleanRecord

from .kept import KeptByText
from .nicknames import formal_names

_NOT_LETTER = re.compile(r"[^a-z]")
_NAME_PARTS = re.compile(r"[\s-]+")
_PSEUDO_POSTCODE = "ZZ99"
_FULL_DATE = len("YYYY-MM-DD")


# Not frozen, though nothing changes one once made: a frozen dataclass's __init__ sets each field
# through object.__setattr__, several times slower, and one is made for every record (in the
# matcher and in both processes of `lateral eval-linkage`). Hashable as a frozen one would be.
@dataclass(slots=True, unsafe_hash=True)
class PersonProfile:
    """What one record says about its person, in comparison forms; `None` where it says nothing."""

    record_key: str
    feed_id: str
    person_ref: str | None  # the partner's own ID, meaningful within one feed
    nhs_number: str | None
    forename: str | None  # comparison key: lower-case ASCII letters
    forename_text: str | None  # as cleansed, for explanations ("Bill")
    surname: str | None
    surname_parts: frozenset[str]  # keys of the parts of a hyphenated or double-barrelled surname
    alias_words: frozenset[str]  # keys of every word of every other name
    date_of_birth: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    gender: str | None  # male, female or other; None when unknown
    uprn: str | None
    postcode: str | None  # a real postcode (never a ZZ99 pseudo-postcode)
    sector: str | None
    # Equal for profiles equal in every compared field (set on creation): compare once, reuse.
    # A string: it keeps nothing for the garbage collector to walk (profiles live long).
    signature_key: str = field(default="", compare=False)
    # Derived once here rather than in every comparison (a record is compared many times).
    full_dob: bool = field(init=False, compare=False, repr=False)
    formal_names: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.signature_key = repr(self.signature())
        dob = self.date_of_birth
        self.full_dob = dob is not None and len(dob) == _FULL_DATE
        self.formal_names = formal_names(self.forename) if self.forename else _NONE

    def signature(self) -> tuple[object, ...]:
        """The compared fields only: two records with equal signatures compare alike."""
        return (
            self.feed_id, self.person_ref, self.nhs_number, self.forename, self.surname,
            sorted(self.surname_parts), sorted(self.alias_words), self.date_of_birth, self.gender,
            self.uprn, self.postcode, self.sector,
        )  # fmt: skip


_NONE: frozenset[str] = frozenset()  # one empty set shared by every profile without names


@lru_cache(maxsize=65_536)
def name_key(name: str | None) -> str | None:
    """Case-folded ASCII letters only, as the cleanser's key ("O'Brien-Smith" → "obriensmith")."""
    if not name:
        return None
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    key = _NOT_LETTER.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return key or None


@lru_cache(maxsize=65_536)  # shared sets: one per name, not one per record
def _parts(name: str | None) -> frozenset[str]:
    if not name:
        return _NONE
    keys = (name_key(part) for part in _NAME_PARTS.split(name))
    return frozenset(key for key in keys if key and len(key) > 1) or _NONE


def _alias_words(aliases: list[str]) -> frozenset[str]:
    if not aliases:
        return _NONE
    words: set[str] = set()
    for alias in aliases:
        words |= _parts(alias)
    return frozenset(words) or _NONE


PROFILE_CACHE_SIZE = 250_000  # records whose comparison forms are remembered
# By record key: the record (to check it is the one profiled) and its profile, in two dicts
# rather than one of pairs, so a remembered record adds no object for the collector to walk.
_records: dict[str, CleanRecord] = {}
_profiles: dict[str, PersonProfile | None] = {}


def cached_profile(record: CleanRecord) -> PersonProfile | None:
    """`person_profile`, remembered per record (a stored record is compared many times).

    Checked against the record itself, not only its key (or content hash): a record cleansed
    again (a gazetteer update) keeps its content hash but may change. The same object is the
    usual case and the cheapest check.
    """
    key = record.record_key
    known = _records.get(key)
    if known is not None and (known is record or known == record):
        return _profiles[key]
    if len(_records) >= PROFILE_CACHE_SIZE:
        _records.clear()
        _profiles.clear()
    profile = _profiles[key] = person_profile(record)
    _records[key] = record
    return profile


def clear_profiles() -> None:
    """Forget every remembered profile (for a benchmark's fresh start)."""
    _records.clear()
    _profiles.clear()
    _stored.clear()


# A profile as the store keeps it beside its record (`profile_json`), so a candidate is read
# without parsing its whole record. The first element is this format's number: a change to what
# `person_profile` derives from a record must raise it, and a profile stored under another number
# is not used (the record is profiled afresh). `formal_names` and `full_dob` are not stored: they
# are derived again on reading, as for any profile.
PROFILE_FORMAT = 1


def profile_json(profile: PersonProfile) -> str:
    """`profile`'s stored form: its fields as a JSON array (the record key is the row's)."""
    fields = [
        PROFILE_FORMAT, profile.feed_id, profile.person_ref, profile.nhs_number,
        profile.forename, profile.forename_text, profile.surname,
        sorted(profile.surname_parts), sorted(profile.alias_words), profile.date_of_birth,
        profile.gender, profile.uprn, profile.postcode, profile.sector,
    ]  # fmt: skip
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=65_536)  # shared sets, as `_parts` shares them
def _word_set(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words) or _NONE


_stored: KeptByText[PersonProfile] = KeptByText(PROFILE_CACHE_SIZE)  # by record key


def stored_profile(record_key: str, text: str) -> PersonProfile | None:
    """The profile stored as `text` (`profile_json`), remembered per record; None if it was
    stored in another format, or cannot be read (the caller profiles the record itself)."""
    if (kept := _stored.get(record_key, text)) is not None:
        return kept
    try:
        version, feed_id, ref, nhs, forename, forename_text, surname, parts, aliases, dob, \
            gender, uprn, postcode, sector = json.loads(text)  # fmt: skip
        if version != PROFILE_FORMAT:
            return None
        profile = PersonProfile(
            record_key, feed_id, ref, nhs, forename, forename_text, surname,
            _word_set(tuple(parts)), _word_set(tuple(aliases)), dob, gender, uprn, postcode,
            sector,
        )  # fmt: skip
    except (ValueError, TypeError):  # not JSON, or not an array of this format's length
        return None
    remember_stored(text, profile)
    return profile


def remember_stored(text: str, profile: PersonProfile) -> None:
    """Note that `text` is `profile`'s stored form (as just written): read back, it is not
    decoded again."""
    _stored.keep(profile.record_key, text, profile)


def person_profile(record: CleanRecord) -> PersonProfile | None:
    """The comparison forms of a record's person, or None for an address-only record."""
    person = record.person
    if person is None:
        return None
    address = record.address
    postcode = address.postcode if address is not None else None
    real_postcode = postcode if postcode and not postcode.startswith(_PSEUDO_POSTCODE) else None
    surname = person.surname_key or name_key(person.surname)
    return PersonProfile(
        record_key=record.record_key,
        feed_id=record.feed_id,
        person_ref=person.person_ref,
        nhs_number=person.nhs_number or None,
        forename=person.forename_key or name_key(person.forename),
        forename_text=person.forename,
        surname=surname,
        surname_parts=_parts(person.surname),
        alias_words=_alias_words(person.aliases),
        date_of_birth=person.date_of_birth,
        gender=person.gender if person.gender != "unknown" else None,
        uprn=address.uprn if address is not None and not address.no_fixed_abode else None,
        postcode=real_postcode,
        sector=address.sector if address is not None and real_postcode is not None else None,
    )


def has_person_details(person: CleanPerson | None) -> bool:
    """Whether a record names or identifies a person at all (gender alone does not)."""
    if person is None:
        return False
    fields = (
        person.forename,
        person.middle_names,
        person.surname,
        person.date_of_birth,
        person.nhs_number,
        person.person_ref,
    )
    return any(fields) or bool(person.aliases)
