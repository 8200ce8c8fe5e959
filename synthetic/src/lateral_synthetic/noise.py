"""The mistakes real feeds carry: misspelt names, nicknames, partial dates of birth, missing NHS
numbers, and postcodes typed with odd spacing or case."""

from __future__ import annotations

import random
from datetime import date

NICKNAMES = {
    "Alexander": "Alex", "Andrew": "Andy", "Anthony": "Tony", "Benjamin": "Ben",
    "Catherine": "Cathy", "Charlotte": "Lottie", "Christopher": "Chris", "Daniel": "Dan",
    "David": "Dave", "Edward": "Ted", "Elizabeth": "Liz", "Jacqueline": "Jackie",
    "James": "Jim", "Jennifer": "Jenny", "Jessica": "Jess", "Jonathan": "Jon", "Joseph": "Joe",
    "Katherine": "Kate", "Margaret": "Maggie", "Matthew": "Matt", "Michael": "Mike",
    "Nicholas": "Nick", "Oliver": "Ollie", "Patricia": "Pat", "Rebecca": "Becky",
    "Richard": "Rich", "Robert": "Bob", "Samuel": "Sam", "Stephen": "Steve", "Susan": "Sue",
    "Thomas": "Tom", "Victoria": "Vicky", "William": "Bill", "Zachary": "Zak",
}  # fmt: skip


class Noise:
    """Seeded mistakes; each method makes its mistake with a realistic probability."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def name(self, name: str, *, misspell: float = 0.04) -> str:
        """The name, now and then with one typing slip (swapped, dropped or doubled letter)."""
        if len(name) < 4 or not self.chance(misspell):
            return name
        i = self.rng.randrange(1, len(name) - 2)
        slip = self.rng.choice(("swap", "drop", "double"))
        if slip == "swap":
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if slip == "drop":
            return name[:i] + name[i + 1 :]
        return name[: i + 1] + name[i:]

    def forename(self, forename: str) -> str:
        """The forename, sometimes as its usual nickname, sometimes misspelt."""
        nickname = NICKNAMES.get(forename)
        if nickname is not None and self.chance(0.3):
            return nickname
        return self.name(forename)

    def date_of_birth(
        self, born: date, *, year_only: float = 0.04, year_month: float = 0.02
    ) -> str:
        """The date of birth, sometimes known only to the year or the month."""
        roll = self.rng.random()
        if roll < year_only:
            return f"{born.year:04d}"
        if roll < year_only + year_month:
            return f"{born.year:04d}-{born.month:02d}"
        return born.isoformat()

    def nhs_number(self, nhs_number: str, *, present: float) -> str | None:
        return nhs_number if self.chance(present) else None

    def lines(self, lines: list[str], *, shout: float = 0.1) -> list[str]:
        """Address lines, now and then typed in capitals."""
        return [line.upper() for line in lines] if self.chance(shout) else list(lines)

    def postcode(self, postcode: str, *, vary: float = 0.12) -> str:
        """The postcode, sometimes lower case, without its space or with two."""
        if not self.chance(vary):
            return postcode
        outward, inward = postcode.split(" ")
        return self.rng.choice(
            (
                postcode.lower(),
                outward + inward,
                f"{outward}  {inward}",
                f"{outward} {inward}".lower(),
            )
        )
