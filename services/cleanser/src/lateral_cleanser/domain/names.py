"""Names: titles, punctuation and extra spaces removed, one consistent case, a comparison key.

The case is decided from the letters alone (the partner's own capitals are ignored), so
"MCDONALD", "mcdonald" and "McDonald" all become "McDonald" and compare equal downstream.
Welsh patronymic particles (ap, ab, ferch, verch) stay lower case; Irish particles (Ó, Ní, Nic,
Mac, Mhic, Uí) keep their capital and a following h- prefix stays lower case ("Ó hUiginn").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lateral_shared.contracts.records import QualityFlag

from .flags import Flags, flag, normalised

CACHE_SIZE = 65_536  # distinct names remembered; a few MB

TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "master", "dr", "doctor", "prof", "professor", "rev", "revd",
     "reverend", "fr", "father", "sir", "dame", "lady", "lord", "sr", "sister"}
)  # fmt: skip
WELSH_PARTICLES = frozenset({"ap", "ab", "ferch", "verch"})
# Only the accented forms take the h- prefix rule: "O Hara" is the anglicised O'Hara.
IRISH_H_PARTICLES = frozenset({"ó", "ní", "uí"})

# "Mac" names that are not Mac + a capitalised name; shorter tails ("Mack", "Macey") are left too.
_MAC_EXCEPTIONS = frozenset(
    {"machado", "machin", "machida", "mackie", "mackey", "mackenzie", "mackintosh", "macklin",
     "macias", "macedo", "macaulay", "macauley", "macari"}
)  # fmt: skip
_MAC_MIN_TAIL = 4
# For the comparison key every Mac name is a Mc name (Mackenzie = McKenzie) except these.
_NOT_MAC = frozenset({"machado", "machin", "machida", "macias", "macedo", "macari", "macey"})
_MAC_KEY_MIN_LENGTH = 5
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
# Anything but letters, marks, apostrophes, hyphens and spaces is punctuation to a name.
_NOT_NAME = re.compile(r"[^\w'\- ]|[\d_]")
_SPACED_HYPHEN = re.compile(r"\s*-+\s*")
_STRAY_MARKS = re.compile(r"(?:^|(?<=\s))['-]+|['-]+(?:$|(?=\s))")
_NOT_KEY = re.compile(r"[^a-z]")


def clean_name(raw: str | None, *, field: str) -> tuple[str | None, Flags]:
    """The name in title case without titles or punctuation; None (and a flag) if none is left."""
    if raw is None:
        return None, []
    name, flags = _clean_name(raw, field)
    return name, list(flags)


@lru_cache(maxsize=CACHE_SIZE)
def _clean_name(raw: str, field: str) -> tuple[str | None, tuple[QualityFlag, ...]]:
    """Names repeat across records (a few thousand forenames and surnames make most of a
    region), so each distinct name is cleaned once; flags are immutable and safe to share."""
    name, flags = _clean_name_uncached(raw, field)
    return name, tuple(flags)


def _clean_name_uncached(raw: str, field: str) -> tuple[str | None, Flags]:
    flags: Flags = []
    text, punctuated = _tidy(raw)
    if punctuated:
        flags.append(flag(field, "punctuation_removed", "Punctuation or digits were removed."))
    words = text.split(" ") if text else []
    kept = _without_titles(words)
    if len(kept) < len(words):
        flags.append(flag(field, "title_removed", "A title (such as Mr or Dr) was removed."))
    if not kept:
        if not flags:
            flags.append(flag(field, "empty", "The name was blank and was dropped."))
        return None, flags
    cleaned = " ".join(_case_words(kept))
    if cleaned != " ".join(kept) or " ".join(raw.split()) != raw:
        flags.append(normalised(field))
    return cleaned, flags


def split_known_as(raw: str | None) -> tuple[str | None, list[str]]:
    """A name and the other names written inside it: "William (Bill)", "Smith (née Jones)"."""
    if raw is None or not _KNOWN_AS_MARKS.search(raw):
        return raw, []
    extras = [m.group(1) or m.group(2) for m in _KNOWN_AS.finditer(raw)]
    extras = [_KNOWN_AS_WORDS.sub("", extra).strip() for extra in extras]
    return _KNOWN_AS.sub(" ", raw), [extra for extra in extras if extra]


_KNOWN_AS_MARKS = re.compile('[("\u201c]')
_KNOWN_AS = re.compile(r"\(([^()]*)\)|[\"\u201c\u201d]([^\"\u201c\u201d]*)[\"\u201c\u201d]")
_KNOWN_AS_WORDS = re.compile(
    r"^\s*(?:n[ée]e|formerly|previously|aka|a\.k\.a\.|known as|also)\b\.?", re.IGNORECASE
)


@lru_cache(maxsize=CACHE_SIZE)
def name_key(name: str | None) -> str | None:
    """The comparison form: case-folded ASCII letters only ("Ó Súilleabháin" → "osuilleabhain").

    Hyphens, spaces and apostrophes go, so "Smith-Jones" equals "Smith Jones" and "O'Brien" equals
    "OBrien"; a leading "Mac" becomes "mc" so "MacDonald" and "McDonald" compare equal.
    """
    if not name:
        return None
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    key = _NOT_KEY.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))
    if key.startswith("mac") and len(key) > _MAC_KEY_MIN_LENGTH and key not in _NOT_MAC:
        key = "mc" + key[3:]
    return key or None


def split_aliases(entry: str) -> list[str]:
    """One "other names" entry as separate names: split on ; / | or "aka"."""
    return [part for part in _ALIAS_SEPARATORS.split(entry) if part.strip()]


_ALIAS_SEPARATORS = re.compile(r"\s*(?:[;/|]|\ba\.?k\.?a\.?(?=\s|$))\s*", re.IGNORECASE)


def clean_aliases(raw: list[str], *, field: str = "person.other_names") -> tuple[list[str], Flags]:
    """Other names used, split, cleaned like names, blanks and repeats removed, order kept.

    A flag's field names the partner's entry ("person.other_names[2]"), counting from 0.
    """
    aliases: list[str] = []
    seen: set[str] = set()
    flags: Flags = []
    for position, entry in enumerate(raw):
        parts = split_aliases(entry)
        if len(parts) > 1:
            message = "Several other names in one entry were split apart."
            flags.append(flag(f"{field}[{position}]", "split", message))
        for name in parts:
            cleaned, name_flags = clean_name(name, field=f"{field}[{position}]")
            flags.extend(name_flags)
            if cleaned is not None and cleaned.casefold() not in seen:
                seen.add(cleaned.casefold())
                aliases.append(cleaned)
    return aliases, flags


def _tidy(raw: str) -> tuple[str, bool]:
    """Punctuation and digits out, hyphens closed up, white space collapsed; and whether any
    punctuation (not just spacing) was removed."""
    text = raw.translate(_APOSTROPHES)
    punctuated = _NOT_NAME.search(text) is not None
    text = _SPACED_HYPHEN.sub("-", " ".join(_NOT_NAME.sub(" ", text).split()))
    stray = _STRAY_MARKS.search(text) is not None
    return " ".join(_STRAY_MARKS.sub("", text).split()), punctuated or stray


def _without_titles(words: list[str]) -> list[str]:
    """Drop leading titles ("Mrs John" → "John"). A last word is a title only if abbreviated:
    "Lord" or "Sister" alone may be a name, "Mrs" alone is not."""
    start = 0
    while start < len(words) - 1 and words[start].casefold() in TITLES:
        start += 1
    if start == len(words) - 1 and words[start].casefold() in _BARE_TITLES:
        start += 1
    return words[start:]


_BARE_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "revd"})


def _case_words(words: list[str]) -> list[str]:
    """Title-case each word, honouring Welsh and Irish particles."""
    out: list[str] = []
    for position, word in enumerate(words):
        lower = word.casefold()
        previous = out[-1].casefold() if out else ""
        if position > 0 and lower in WELSH_PARTICLES and position < len(words) - 1:
            out.append(lower)
        elif (
            previous in IRISH_H_PARTICLES
            and len(lower) > 2
            and lower[0] == "h"
            and _vowel(lower[1])
        ):
            out.append("h" + title_case(lower[1:]))  # Ó hUiginn, Ní hAodha
        else:
            out.append(title_case(word))
    return out


def _vowel(letter: str) -> bool:
    return unicodedata.normalize("NFKD", letter)[0] in "aeiou"


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
