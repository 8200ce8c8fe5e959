"""Names: trimmed, white space collapsed, titles removed, one consistent title case.

The case is decided from the letters alone (the partner's own capitals are ignored), so
"MCDONALD", "mcdonald" and "McDonald" all become "McDonald" and compare equal downstream.
"""

from __future__ import annotations

import re

from .flags import Flags, flag, normalised

TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "master", "dr", "prof", "professor", "rev", "revd", "sir",
     "dame"}
)  # fmt: skip

# "Mac" names that are not Mac + a capitalised name; shorter tails ("Mack", "Macey") are left too.
_MAC_EXCEPTIONS = frozenset(
    {"machado", "machin", "machida", "mackie", "mackey", "mackenzie", "mackintosh", "macklin",
     "macias", "macedo", "macaulay", "macauley", "macari"}
)  # fmt: skip
_MAC_MIN_TAIL = 4
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_SPACED_HYPHEN = re.compile(r"\s*-\s*")


def clean_name(raw: str | None, *, field: str) -> tuple[str | None, Flags]:
    """The name in title case without titles; None (and a flag) when nothing is left."""
    if raw is None:
        return None, []
    text = _SPACED_HYPHEN.sub("-", " ".join(raw.translate(_APOSTROPHES).split()))
    words = text.split(" ") if text else []
    flags: Flags = []
    kept = _without_titles(words)
    if len(kept) < len(words):
        flags.append(flag(field, "title_removed", "A title (such as Mr or Dr) was removed."))
    if not kept:
        if not flags:
            flags.append(flag(field, "empty", "The name was blank and was dropped."))
        return None, flags
    cleaned = " ".join(title_case(word) for word in kept)
    if cleaned != " ".join(kept) or text != raw:
        flags.append(normalised(field))
    return cleaned, flags


def clean_aliases(raw: list[str], *, field: str = "person.other_names") -> tuple[list[str], Flags]:
    """Other names used, cleaned like names, blanks and repeats removed, order kept."""
    aliases: list[str] = []
    flags: Flags = []
    for position, name in enumerate(raw):
        cleaned, name_flags = clean_name(name, field=f"{field}[{position}]")
        flags.extend(name_flags)
        if cleaned is not None and cleaned.casefold() not in {a.casefold() for a in aliases}:
            aliases.append(cleaned)
    return aliases, flags


def _without_titles(words: list[str]) -> list[str]:
    """Drop leading titles ("Mr", "Dr.", "Mrs John" → "John")."""
    start = 0
    while start < len(words) and words[start].rstrip(".").casefold() in TITLES:
        start += 1
    return words[start:]


def title_case(word: str) -> str:
    """One word in title case, respecting hyphens, O'/D' prefixes and Mc/Mac."""
    return "-".join(_case_part(part) for part in word.split("-"))


def _case_part(part: str) -> str:
    lower = part.casefold()
    prefix, apostrophe, rest = lower.partition("'")
    if apostrophe and len(prefix) == 1 and rest:
        return prefix.upper() + "'" + _case_part(rest)  # O'Brien, D'Arcy
    if apostrophe:
        return prefix.capitalize() + "'" + rest
    if lower.startswith("mc") and len(lower) > 2:
        return "Mc" + lower[2:].capitalize()
    if lower.startswith("mac") and len(lower) - 3 >= _MAC_MIN_TAIL and lower not in _MAC_EXCEPTIONS:
        return "Mac" + lower[3:].capitalize()
    return lower.capitalize()
