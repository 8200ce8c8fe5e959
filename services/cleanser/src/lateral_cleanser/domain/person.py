"""A person's fields cleansed: names (with originals and comparison keys), aliases, date of birth,
gender and NHS number."""

from __future__ import annotations

from datetime import date

from lateral_shared.contracts.records import CleanPerson, PersonFields

from .dates import clean_date_of_birth
from .flags import Flags, flag
from .gender import clean_gender
from .names import clean_aliases, clean_name, name_key, split_known_as
from .nhs_number import clean_nhs_number
from .trusted import trusted


def clean_person(person: PersonFields, *, today: date) -> tuple[CleanPerson, Flags]:
    """The person's names, date of birth, gender and NHS number, cleaned."""
    forename_text, nicknames = split_known_as(person.forename)
    surname_text, former_surnames = split_known_as(person.surname)
    forename, flags = clean_name(forename_text, field="person.forename")
    middle, middle_flags = clean_name(person.middle_names, field="person.middle_names")
    surname, surname_flags = clean_name(surname_text, field="person.surname")
    flags += middle_flags
    flags += surname_flags
    aliases: list[str] = []
    if person.other_names or nicknames or former_surnames:  # most people have none
        aliases = _aliases(person.other_names, forename, surname, nicknames, former_surnames, flags)
    dob, precision, dob_flags = clean_date_of_birth(person.date_of_birth, today=today)
    gender, gender_flags = clean_gender(person.gender)
    nhs_number, nhs_flags = clean_nhs_number(person.nhs_number)
    flags += dob_flags
    flags += gender_flags
    flags += nhs_flags
    cleaned = trusted(
        CleanPerson,
        {
            "forename": forename,
            "middle_names": middle,
            "surname": surname,
            "aliases": aliases,
            "date_of_birth": dob,
            "dob_precision": precision,
            "gender": gender,
            "nhs_number": nhs_number,
            "person_ref": person.person_ref,
            "original_forename": person.forename,
            "original_middle_names": person.middle_names,
            "original_surname": person.surname,
            "forename_key": name_key(forename),
            "surname_key": name_key(surname),
        },
    )
    return cleaned, flags


def _aliases(  # noqa: PLR0917 (the names an alias can come from)
    other_names: list[str],
    forename: str | None,
    surname: str | None,
    nicknames: list[str],
    former_surnames: list[str],
    flags: Flags,
) -> list[str]:
    """The other names, and the names written in brackets or quotes ("William (Bill)" gives
    "Bill Smith"); their flags are added to `flags`."""
    written_in = [f"{nick} {surname or ''}" for nick in nicknames]
    written_in += [f"{forename or ''} {former}" for former in former_surnames]
    aliases, alias_flags = clean_aliases([*other_names, *written_in])
    flags += alias_flags
    if written_in:
        message = "A name in brackets or quotes was moved to the other names."
        flags.append(flag("person.other_names", "known_as_moved", message))
    return aliases
