"""Blocking keys: a new record is compared only with stored records sharing one of its keys.

Keys (stable strings; the service stores them per record and fetches candidates by them):
- `nhs:<NHS number>`: a valid NHS number;
- `pref:<feed>:<person_ref>`: the partner's own person ID, within the feed that issued it;
- `dob:<YYYY-MM-DD>:<gender>`: a full date of birth (with the gender, which halves the key in a
  big region; a record of unknown gender is stored and looked up under every gender);
- `sxy:<Soundex of surname>:<birth year>:<forename initial>`: catches misspelt surnames with
  any date of birth precision, and a wrong day or month (the initial keeps the key small in a
  region of half a million: Smiths born in one year are many, with one initial a few);
- `uprn:<UPRN>`: the same property (household members, people at the same address);
- `pci:<postcode>:<forename initial>`: the same postcode and initial, for records without a UPRN
  or with a wrong date of birth.

Other names (a maiden surname) add an `sxy` key each, so a record under a former surname meets
records under it. Evaluation (`lateral eval-linkage`) reports the share of true pairs that share
at least one key (blocking recall).
"""

from __future__ import annotations

from jellyfish import soundex

from lateral_shared.contracts.records import CleanRecord

from .profile import PersonProfile, cached_profile

_GENDERS = ("female", "male", "other")


KEYS_CACHE_SIZE = 250_000
# Keys depend only on compared fields: remembered by profile signature (a service asks for a
# record's keys when loading its batch, and again when linking it).
_keys: dict[str, tuple[str, ...]] = {}


def blocking_keys(record: CleanRecord) -> list[str]:
    """The record's blocking keys (none for an address-only record), without repeats."""
    profile = cached_profile(record)
    if profile is None:
        return []
    found = _keys.get(profile.signature_key)
    if found is None:
        if len(_keys) >= KEYS_CACHE_SIZE:
            _keys.clear()
        found = _keys[profile.signature_key] = tuple(profile_keys(profile))
    return list(found)


def profile_keys(profile: PersonProfile) -> list[str]:
    keys: list[str] = []
    if profile.nhs_number:
        keys.append(f"nhs:{profile.nhs_number}")
    if profile.person_ref:
        keys.append(f"pref:{profile.feed_id}:{profile.person_ref}")
    dob = profile.date_of_birth
    if dob and profile.full_dob:
        genders = (profile.gender,) if profile.gender else _GENDERS
        keys.extend(f"dob:{dob}:{gender}" for gender in genders)
    if dob and profile.forename:
        surnames = {profile.surname} if profile.surname else set()
        initial, year = profile.forename[0], dob[:4]
        keys.extend(
            f"sxy:{soundex(name)}:{year}:{initial}"
            for name in sorted(surnames | profile.alias_words)
        )
    if profile.uprn:
        keys.append(f"uprn:{profile.uprn}")
    if profile.postcode and profile.forename:
        keys.append(f"pci:{profile.postcode.replace(' ', '')}:{profile.forename[0]}")
    return list(dict.fromkeys(keys))
