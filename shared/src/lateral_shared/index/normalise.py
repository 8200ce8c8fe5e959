"""Search keys shared by both index adapters, so the embedded index and OpenSearch agree exactly.

A person document and a query are both reduced to keys by the same code here; each adapter only
stores and looks them up. The keys, by field (the OpenSearch field names and the embedded index's
key kinds are the same):

- `name_tokens`: every word of every forename, middle name, surname and alias, lower-cased,
  diacritics folded ("José" -> "jose"), apostrophes dropped ("O'Brien" -> "obrien"), split on
  anything else that is not a letter or digit ("Smith-Jones" -> "smith", "jones").
- `dob_keys`: the date of birth at each precision it is known to, plus a marker for the precision
  it stops at (`dob_keys`, `query_dob_keys`).
- `postcodes` (compact: no spaces, upper case) and `outward_codes` (the compact postcode without
  its three-character inward code).
- `nhs_numbers` (digits only) and `ref_ids` (partners' source record IDs, exact).
- `name_initials`: the first letter of every name token, so "J Smith" finds John Smith.
- `address_tokens`: every element of an address (`address_tokens`): words of its lines (house
  number, street, town), UPRN, and the postcode whole, as outward code, sector and inward code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

from rapidfuzz.distance import OSA

from ..street_words import SPELLINGS

NAME = "name_tokens"
DOB = "dob_keys"
POSTCODE = "postcodes"
OUTWARD = "outward_codes"
NHS = "nhs_numbers"
REF = "ref_ids"
INITIAL = "name_initials"
ADDRESS = "address_tokens"
NAME_YEAR = "name_years"  # embedded index only: see `embedded_match`
NAME_AREA = "name_areas"  # embedded index only: see `embedded_match`
# New fields go at the end: the embedded index stores a field as its position here.
KEY_FIELDS = (NAME, DOB, POSTCODE, OUTWARD, NHS, REF, INITIAL, ADDRESS, NAME_YEAR, NAME_AREA)

# Letters that Unicode decomposition does not reduce to ASCII (OpenSearch's asciifolding does).
_UNDECOMPOSABLE = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_WORD = re.compile(r"[^\W_]+")
_INWARD_LENGTH = 3
_OUTWARD = re.compile(r"^[a-z]{1,2}\d[a-z\d]?$")
_INWARD = re.compile(r"^\d[a-z]{2}$")
_ONLY_TO_THIS_PRECISION = "~"
# No real name has a longer word; beyond it, fuzzy look-ups would only cost time.
MAX_FUZZY_LENGTH = 32


def fold(text: str) -> str:
    """`text` lower-cased with diacritics removed, so "ÉLODIE" and "elodie" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_UNDECOMPOSABLE)


def name_tokens(text: str | None) -> list[str]:
    """The searchable words of a name, in order, folded (see the module docstring)."""
    if not text:
        return []
    return list(_name_tokens(text))


@lru_cache(maxsize=65_536)
def _name_tokens(text: str) -> tuple[str, ...]:
    """Names repeat (every search result's names are tokenised again to explain the match)."""
    return tuple(_WORD.findall(_APOSTROPHES.sub("", fold(text))))


def max_edits(word: str) -> int:
    """Spelling mistakes tolerated in a word: none up to 2 letters, 1 up to 5, else 2.

    The same rule as OpenSearch's `fuzziness: AUTO`; a transposition counts as one edit. Words
    longer than `MAX_FUZZY_LENGTH` must match exactly."""
    if len(word) <= 2 or len(word) > MAX_FUZZY_LENGTH:
        return 0
    return 1 if len(word) <= 5 else 2


def deletion_depth(token: str) -> int:
    """How many deletions of an indexed name token to store so every query word that tolerates
    mistakes (`max_edits`) can find it: the same length rule, since a word and a token within
    d edits differ in length by at most d."""
    if len(token) <= 2 or len(token) > MAX_FUZZY_LENGTH + 2:
        return 0
    return 1 if len(token) <= 5 else 2


def within_edits(word: str, token: str, edits: int) -> bool:
    """Whether `token` is at most `edits` edits (optimal string alignment) from `word`."""
    return OSA.distance(word, token, score_cutoff=edits) <= edits


def deletions(word: str, depth: int) -> set[str]:
    """`word` and every string made by deleting up to `depth` of its characters (symmetric delete).

    Two words within d edits of each other always share a string reachable by at most d
    deletions from each, so looking up these keys finds every candidate worth verifying."""
    keys = {word}
    for n in range(1, min(depth, len(word) - 1) + 1):
        for drop in combinations(range(len(word)), n):
            keys.add("".join(c for i, c in enumerate(word) if i not in drop))
    return keys


def compact_postcode(postcode: str) -> str:
    """A postcode with all white space removed, upper case ("ls6  1aa" -> "LS61AA")."""
    return "".join(postcode.split()).upper()


def outward_code(postcode: str) -> str | None:
    """The outward code of a full postcode ("LS6 1AA" -> "LS6"), or None if it is too short."""
    compact = compact_postcode(postcode)
    return compact[:-_INWARD_LENGTH] if len(compact) >= 5 else None


def is_outward_code_only(postcode: str) -> bool:
    """Whether a searched postcode is an outward code alone (at most 4 characters, "LS6")."""
    return len(compact_postcode(postcode)) < 5


def dob_keys(date_of_birth: str | None) -> list[str]:
    """Keys for a person's (possibly partial) date of birth.

    "2012-03-04" -> 2012, 2012-03, 2012-03-04; "2012-03" -> 2012, 2012-03, 2012-03~;
    "2012" -> 2012, 2012~. The "~" key says the date is known only to that precision."""
    if not date_of_birth:
        return []
    parts = date_of_birth.split("-")
    keys = ["-".join(parts[: i + 1]) for i in range(len(parts))]
    if len(parts) < 3:
        keys.append(date_of_birth + _ONLY_TO_THIS_PRECISION)
    return keys


def query_dob_keys(date_of_birth: str) -> list[str]:
    """Keys any one of which a person's `dob_keys` must contain to agree at the shared precision.

    "2012-03-04" matches a person born 2012-03-04, or known only as born 2012-03, or only as
    born 2012 (the date agrees as far as the person's date is known: better an extra result for
    the practitioner to rule out than a missed one); "2012-03" matches anyone born in March 2012
    or known only as born 2012; "2012" matches anyone born in 2012."""
    parts = date_of_birth.split("-")
    broader = ["-".join(parts[:i]) + _ONLY_TO_THIS_PRECISION for i in range(len(parts) - 1, 0, -1)]
    return [date_of_birth, *broader]


def digits_only(value: str) -> str:
    """An identifier with spaces and hyphens removed ("943 476 5919" -> "9434765919")."""
    return re.sub(r"[\s-]", "", value)


def unique(values: Iterable[str]) -> list[str]:
    """`values` without duplicates or empty strings, first occurrence kept."""
    return [v for v in dict.fromkeys(values) if v]


def address_tokens(lines: Iterable[str], postcode: str | None, uprn: str | None) -> list[str]:
    """Every element of one address a practitioner might type (see the module docstring)."""
    tokens = [t for line in lines for t in name_tokens(line)]
    if postcode:
        compact = compact_postcode(postcode).lower()
        tokens.append(compact)
        if len(compact) >= 5:
            outward, inward = compact[:-_INWARD_LENGTH], compact[-_INWARD_LENGTH:]
            tokens += [outward, outward + inward[0], inward]
    if uprn:
        tokens.append(uprn)
    return unique(tokens)


def is_misspellable_address_word(token: str) -> bool:
    """Whether an address word is looked for with spelling mistakes when no document holds it
    as typed: a word of letters (a street, locality or town word, not a number, postcode or
    UPRN) long enough to tolerate one (`max_edits`), and not a street-type word (`SPELLINGS`)."""
    return token.isalpha() and max_edits(token) > 0 and token not in SPELLINGS


@lru_cache(maxsize=4_096)
def street_type_spellings_near(word: str) -> tuple[str, ...]:
    """Every way of writing the street-type words within `word`'s spelling tolerance: a
    misspelt "Raod" is "Road", which a document may hold as "Rd" ("rd", "road")."""
    edits = max_edits(word)
    near = (w for w in SPELLINGS if len(w) > 2 and within_edits(word, w, edits))
    return tuple(sorted({spelling for w in near for spelling in SPELLINGS[w]}))


def address_spellings(token: str) -> tuple[str, ...]:
    """Every way a searched address word may be written in a document: itself, or for a
    street-type word its full form and abbreviations ("rd" -> "rd", "road"). Documents keep
    their words as partners sent them, so this needs no re-indexing of older documents."""
    return SPELLINGS.get(token, (token,))


def query_address_tokens(text: str) -> list[str]:
    """The address elements in a searched address, postcode pieces joined back together:
    "12 High St LS6 1AA" -> 12, high, st, ls61aa; "LS6 1" -> ls61 (a postcode sector)."""
    words = name_tokens(text)
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word, following = words[i], words[i + 1] if i + 1 < len(words) else ""
        is_sector = len(following) == 1 and following.isdigit()
        if _OUTWARD.match(word) and (_INWARD.match(following) or is_sector):
            tokens.append(word + following)
            i += 2
            continue
        tokens.append(word)
        i += 1
    return unique(tokens)
