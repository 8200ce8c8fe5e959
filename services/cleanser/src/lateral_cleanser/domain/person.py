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


def clean_person(person: PersonFields, *, today: date) -> tuple[CleanPerson, Flags]:
    """The person's names, date of birth, gender and NHS number, cleaned."""
    forename_text, nicknames = split_known_as(person.forename)
    surname_text, former_surnames = split_known_as(person.surname)
    forename, forename_flags = clean_name(forename_text, field="person.forename")
    middle, middle_flags = clean_name(person.middle_names, field="person.middle_names")
    surname, surname_flags = clean_name(surname_text, field="person.surname")
    written_in = [f"{nick} {surname or ''}" for nick in nicknames]
    written_in += [f"{forename or ''} {former}" for former in former_surnames]
    aliases, alias_flags = clean_aliases([*person.other_names, *written_in])
    if written_in:
        message = "A name in brackets or quotes was moved to the other names."
        alias_flags.append(flag("person.other_names", "known_as_moved", message))
    dob, precision, dob_flags = clean_date_of_birth(person.date_of_birth, today=today)
    gender, gender_flags = clean_gender(person.gender)
    nhs_number, nhs_flags = clean_nhs_number(person.nhs_number)
    cleaned = CleanPerson(
        forename=forename,
        middle_names=middle,
        surname=surname,
        aliases=aliases,
        date_of_birth=dob,
        dob_precision=precision,
        gender=gender,
        nhs_number=nhs_number,
        person_ref=person.person_ref,
        original_forename=person.forename,
        original_middle_names=person.middle_names,
        original_surname=person.surname,
        forename_key=name_key(forename),
        surname_key=name_key(surname),
    )
    flags = [*forename_flags, *middle_flags, *surname_flags, *alias_flags, *dob_flags,
             *gender_flags, *nhs_flags]  # fmt: skip
    return cleaned, flags
