"""Writes an event as one partner's CSV row, with the mistakes of the error table."""

from __future__ import annotations

import bisect
import contextlib
import random
from dataclasses import dataclass
from datetime import date

from lateral_shared.contracts.records import AgencyKind

from .activity import Event
from .address_forms import WrittenAddress, pseudo_address, street_location, write_address
from .feeds import CSV_COLUMNS, Feed
from .gazetteer import Property
from .names import (
    FEMALE_FORENAMES,
    MALE_FORENAMES,
    NICKNAMES,
    SURNAME_CUM_WEIGHTS,
    SURNAMES,
    TEAMS,
)
from .population import Person
from .rates import ERROR_RATES, NHS_NUMBER_MISSING

GENDER_WORDS = {
    AgencyKind.HEALTH: {"female": "F", "male": "M"},
    AgencyKind.POLICE: {"female": "Female", "male": "Male"},
}
_OTHER_GENDER = {"female": "male", "male": "female"}
_REF_MULTIPLIER, _REF_RANGE = 7_919_003, 10**8


@dataclass(frozen=True, slots=True)
class Worker:
    name: str
    team: str
    phone: str
    email: str


def typo(rng: random.Random, name: str) -> str:
    """One typing slip: two letters swapped, one dropped or one doubled."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    slip = rng.randrange(3)
    if slip == 0:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :] if slip == 1 else name[: i + 1] + name[i:]


def written_forename(rng: random.Random, forename: str) -> str:
    nickname = NICKNAMES.get(forename)
    if nickname and rng.random() < ERROR_RATES["nickname"]:
        return nickname
    if rng.random() < ERROR_RATES["initial_only"]:
        return forename[0]
    return typo(rng, forename) if rng.random() < ERROR_RATES["forename_typo"] else forename


def written_dob(rng: random.Random, born: date, *, latest: date) -> str:
    """The date of birth as held: sometimes missing or partial, or a full date with day and month
    swapped, one digit mistyped or the year one out."""
    roll = rng.random()
    if roll < (edge := ERROR_RATES["dob_missing"]):
        return ""
    if roll < (edge := edge + ERROR_RATES["dob_year_only"]):
        return f"{born.year:04d}"
    if roll < edge + ERROR_RATES["dob_year_month"]:
        return f"{born.year:04d}-{born.month:02d}"
    if born.day <= 12 and born.day != born.month:
        swapped = born.replace(month=born.day, day=born.month)
        if swapped <= latest and rng.random() < ERROR_RATES["dob_day_month_swapped"]:
            return swapped.isoformat()
    roll = rng.random()
    wrong = None
    if roll < (edge := ERROR_RATES["dob_one_digit_wrong"]):
        wrong = one_digit_wrong(rng, born)
    elif roll < edge + ERROR_RATES["dob_year_off_by_one"]:
        with contextlib.suppress(ValueError):  # 29 February has no twin a year away
            wrong = born.replace(year=born.year + rng.choice((-1, 1)))
    return wrong.isoformat() if wrong is not None and wrong <= latest else born.isoformat()


def one_digit_wrong(rng: random.Random, born: date) -> date | None:
    """The date with one digit of its year (last two), month or day mistyped into another real
    date, as a slip on a keypad makes; None if the slips tried all made impossible dates."""
    text = born.isoformat()
    for _ in range(8):
        at = rng.choice((2, 3, 5, 6, 8, 9))
        digit = rng.choice([d for d in "0123456789" if d != text[at]])
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text[:at] + digit + text[at + 1 :])
    return None


def written_gender(rng: random.Random, gender: str, kind: AgencyKind) -> str:
    """The gender in the partner's own words: sometimes not recorded, rarely the wrong one."""
    roll = rng.random()
    if roll < (edge := ERROR_RATES["gender_not_recorded"]):
        return ""
    if roll < edge + ERROR_RATES["gender_wrong"] and gender in _OTHER_GENDER:
        gender = _OTHER_GENDER[gender]
    return GENDER_WORDS.get(kind, {}).get(gender, gender)


def person_ref(feed: Feed, person: Person) -> str:
    """The partner's own ID for the person: stable in the feed, unrelated between feeds."""
    salt = sum(ord(c) for c in feed.feed_id) * 104_729
    return f"{feed.id_prefix[0]}{(person.serial * _REF_MULTIPLIER + salt) % _REF_RANGE:08d}"


class RowWriter:
    """Writes one district's events as CSV cells (a dict per row), with the truth beside each."""

    def __init__(self, rng: random.Random, properties: list[Property]) -> None:
        self.rng = rng
        self.properties = properties
        self.first_uprn = int(properties[0].uprn) if properties else 0
        self.workers: dict[str, list[Worker]] = {}

    def neighbour(self, home: Property) -> Property | None:
        index = int(home.uprn) - self.first_uprn
        step = 1 if index + 1 < len(self.properties) else -1
        return self.properties[index + step] if len(self.properties) > 1 else None

    def person_cells(self, feed: Feed, person: Person, on: date, *, exact: bool) -> dict[str, str]:
        rng, kind = self.rng, feed.agency_kind
        surname = person.surname_on(on)
        aliases: list[str] = []
        if person.birth_surname and surname != person.birth_surname and not exact:
            if rng.random() < ERROR_RATES["maiden_name_after_marriage"]:
                surname = person.birth_surname
            elif rng.random() < ERROR_RATES["maiden_name_as_alias"]:
                aliases.append(person.birth_surname)
        if not exact and rng.random() < ERROR_RATES["alias"]:
            aliases.append(self.random_surname())
        if not exact and rng.random() < ERROR_RATES["surname_typo"]:
            surname = typo(rng, surname)
        nhs = person.nhs_number
        if kind is AgencyKind.FIRE or (not exact and rng.random() < NHS_NUMBER_MISSING[kind]):
            nhs = ""
        elif not exact and rng.random() < ERROR_RATES["nhs_number_spaced"]:
            nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
        middle = person.middle_names or ""
        if not exact and rng.random() < ERROR_RATES["middle_names_dropped"]:
            middle = ""
        return {
            "forename": person.forename if exact else written_forename(rng, person.forename),
            "middle_names": middle,
            "surname": surname,
            "other_names": ";".join(aliases),
            "date_of_birth": person.date_of_birth.isoformat() if exact
            else written_dob(rng, person.date_of_birth, latest=on),
            "gender": GENDER_WORDS.get(kind, {}).get(person.gender, person.gender) if exact
            else written_gender(rng, person.gender, kind),
            "nhs_number": nhs,
            "person_ref": "" if kind is AgencyKind.FIRE else person_ref(feed, person),
        }  # fmt: skip

    def random_surname(self) -> str:
        point = self.rng.random() * SURNAME_CUM_WEIGHTS[-1]
        return SURNAMES[bisect.bisect(SURNAME_CUM_WEIGHTS, point)]

    def address(self, event: Event, feed: Feed, *, exact: bool) -> WrittenAddress:
        rng, home = self.rng, event.home
        assert home is not None  # every event happens somewhere
        ae = event.event_type == "emergency_attendance" and not exact
        if ae and rng.random() < ERROR_RATES["zz99_postcode"]:
            return pseudo_address(rng)
        if event.street_only:
            return street_location(rng, home, rng.choice(self.properties).street)
        household = event.household
        moved = household and len(household.homes) > 1 and event.on >= household.homes[1][0]
        if moved and not exact and rng.random() < ERROR_RATES["old_address_after_move"]:
            home = household.homes[0][1]  # type: ignore[union-attr]
        return write_address(
            rng, home, feed.agency_kind, neighbour=self.neighbour(home), exact=exact
        )

    def lead(self, feed: Feed, person: Person) -> Worker | None:
        """The person's lead worker in a social care feed: the same one on every record."""
        if feed.agency_kind not in (AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE):
            return None
        pool = self.workers.get(feed.feed_id) or self._hire(feed)
        return pool[(person.serial * 31) % len(pool)]

    def _hire(self, feed: Feed) -> list[Worker]:
        rng, pool = self.rng, []
        for _ in range(8):
            forename = rng.choice(FEMALE_FORENAMES if rng.random() < 0.7 else MALE_FORENAMES)
            surname = self.random_surname()
            local = f"{forename}.{surname}".lower().replace("'", "").replace(" ", "")
            pool.append(Worker(
                f"{forename} {surname}", rng.choice(TEAMS[feed.agency_kind.value]),
                # 01632 960xxx is reserved by Ofcom for drama: never a real line.
                f"01632 960{rng.randrange(1000):03d}", f"{local}@{feed.email_domain}",
            ))  # fmt: skip
        self.workers[feed.feed_id] = pool
        return pool

    def row(
        self, event: Event, feed: Feed, *, exact: bool = False
    ) -> tuple[dict[str, str], str | None]:
        """The cells of `event` as `feed` sends it (no source_record_id yet), and the true UPRN."""
        cells = dict.fromkeys(CSV_COLUMNS, "")
        cells.update(
            event_type=event.event_type, event_date=event.on.isoformat(),
            status=event.status.value, end_date=event.end.isoformat() if event.end else "",
            category=event.category or "",
            attend_code="" if event.attend_code is None else str(event.attend_code),
        )  # fmt: skip
        if event.person is not None:
            cells.update(self.person_cells(feed, event.person, event.on, exact=exact))
            worker = self.lead(feed, event.person)
            if worker is not None:
                cells.update(lead_professional_name=worker.name, lead_professional_team=worker.team,
                             lead_professional_phone=worker.phone,
                             lead_professional_email=worker.email)  # fmt: skip
        written = self.address(event, feed, exact=exact)
        for number, line in enumerate(written.lines, start=1):
            cells[f"address_line_{number}"] = line
        cells.update(postcode=written.postcode, uprn=written.uprn)
        return cells, written.true_uprn
