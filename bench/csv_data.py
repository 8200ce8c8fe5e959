"""Synthetic health-feed CSV extracts for the gateway benchmarks, written row by row so that even
a 500 MB file is never held in memory. Only synthetic people: NHS numbers in the never-issued 9xx
range with a valid Modulus 11 check digit."""

from __future__ import annotations

import csv
import random
from pathlib import Path

FORENAMES = ["Olivia", "Amir", "Grace", "Hannah", "Kwame", "Siobhan", "Dylan", "Mei", "Tomasz"]
SURNAMES = ["Okonkwo", "Ellingworth", "Quillfeather", "Nowak", "Davies", "Ahmed", "O'Neill"]
STREETS = ["High Street", "Mill Lane", "Church Road", "Victoria Avenue", "Station Road"]
POSTCODES = ["LS6 2AB", "LS11 5QT", "BD7 1DP", "HX1 2RU", "WF1 3JS", "ZZ99 3VZ"]
HEADER = ["source_record_id", "event_type", "event_date", "status", "attend_code", "forename",
          "surname", "date_of_birth", "gender", "nhs_number", "address_line_1", "address_line_2",
          "postcode", "lead_professional_team"]  # fmt: skip


def synthetic_nhs_number(rng: random.Random) -> str:
    """A 9xx NHS number (never issued to a patient) with a valid Modulus 11 check digit."""
    while True:
        digits = [9] + [rng.randrange(10) for _ in range(8)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(0 if check == 11 else check)


def health_row(n: int, rng: random.Random) -> list[str]:
    missed = rng.random() < 0.3
    return [
        f"ED-{n:09d}", "missed_appointment" if missed else "emergency_attendance",
        f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice(["open", "closed"]),
        "3" if missed else "", rng.choice(FORENAMES), rng.choice(SURNAMES),
        f"{rng.randint(1930, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        rng.choice(["F", "M", ""]), synthetic_nhs_number(rng) if rng.random() < 0.9 else "",
        f"{rng.randint(1, 200)} {rng.choice(STREETS)}", "Leeds", rng.choice(POSTCODES),
        "Emergency Department",
    ]  # fmt: skip


def write_health_csv(
    path: Path, *, records: int | None = None, size_bytes: int | None = None, seed: int = 7
) -> Path:
    """Write a health extract of `records` rows, or of about `size_bytes` bytes."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(HEADER)
        n = 0
        while (records is not None and n < records) or (
            size_bytes is not None and file.tell() < size_bytes
        ):
            writer.writerow(health_row(n, rng))
            n += 1
    return path
