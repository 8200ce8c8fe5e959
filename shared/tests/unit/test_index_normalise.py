"""Search-key normalisation shared by both index adapters (pure functions)."""

from __future__ import annotations

import random

from rapidfuzz.distance import OSA

from lateral_shared.index import normalise as n


def test_name_tokens_fold_case_diacritics_and_apostrophes() -> None:
    assert n.name_tokens("  ÉLODIE  Zoë-Ann O'Brien Ørsted Straße ") == [
        "elodie",
        "zoe",
        "ann",
        "obrien",
        "orsted",
        "strasse",
    ]
    assert n.name_tokens("!! --") == []
    assert n.name_tokens(None) == []


def test_spelling_tolerance_grows_with_word_length() -> None:
    assert [n.max_edits(w) for w in ("al", "ali", "jones", "joness", "christopher")] == [
        0,
        1,
        1,
        2,
        2,
    ]
    assert n.max_edits("a" * 40) == 0  # absurdly long words must match exactly


def test_a_transposition_is_one_edit() -> None:
    assert n.within_edits("smiht", "smith", 1)
    assert not n.within_edits("smiht", "smyth", 1)


def _mutate(word: str, edits: int, rng: random.Random) -> str:
    letters = list(word)
    for _ in range(edits):
        op, at = rng.choice("sidt"), rng.randrange(len(letters) + 1)
        if op == "i":
            letters.insert(at, rng.choice("abcde"))
        elif letters and at < len(letters):
            if op == "s":
                letters[at] = rng.choice("abcde")
            elif op == "d" and len(letters) > 1:
                del letters[at]
            elif op == "t" and at + 1 < len(letters):
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
    return "".join(letters)


def test_symmetric_deletions_find_every_token_within_the_tolerated_edits() -> None:
    # Brute force: for random word/token pairs that OSA says are within the word's tolerance,
    # the word's look-up keys and the token's stored keys must share at least one string.
    rng = random.Random(7)  # noqa: S311 (seeded, so the test is repeatable)
    checked = 0
    for _ in range(4000):
        token = "".join(rng.choices("abcde", k=rng.randint(1, 9)))
        word = _mutate(token, rng.randint(0, 2), rng)
        edits = n.max_edits(word)
        if OSA.distance(word, token) > edits:
            continue
        checked += 1
        shared = n.deletions(word, edits) & n.deletions(token, n.deletion_depth(token))
        assert shared, (word, token)
    assert checked > 1000


def test_deletions_include_the_word_and_never_the_empty_string() -> None:
    assert n.deletions("ann", 1) == {"ann", "nn", "an"}
    assert n.deletions("ab", 2) == {"ab", "a", "b"}
    assert "" not in n.deletions("jo", 2)


def test_postcodes_compact_and_outward_code() -> None:
    assert n.compact_postcode(" ls6  1aa ") == "LS61AA"
    assert n.outward_code("sw1a 1aa") == "SW1A"
    assert n.outward_code("LS6") is None
    assert n.is_outward_code_only("ls6")
    assert not n.is_outward_code_only("M1 1AE")


def test_partial_dates_of_birth_agree_at_the_shared_precision() -> None:
    def agrees(person_dob: str, searched: str) -> bool:
        return bool(set(n.dob_keys(person_dob)) & set(n.query_dob_keys(searched)))

    assert agrees("2012-03-04", "2012") and agrees("2012-03-04", "2012-03")
    assert agrees("2012", "2012-03-04") and agrees("2012-03", "2012-03-04")
    assert agrees("2012", "2012-07")
    assert not agrees("2012-03-05", "2012-03-04")
    assert not agrees("2012-04", "2012-03-04")
    assert not agrees("2012-04", "2012-03")
    assert not agrees("2011", "2012")
    assert n.dob_keys(None) == []


def test_identifiers_ignore_spaces() -> None:
    assert n.digits_only("943 476 5919") == "9434765919"
    assert n.digits_only("943-476-5919") == "9434765919"
