"""A short table of English given names and their usual nicknames, for name search.

Each group is a set of names a person may be recorded under interchangeably ("Bill" at the GP,
"William" at school). A name in several groups (Alex) joins them all. Kept short on purpose: a
nickname that could belong to many names (Jo, Sam) widens every search that uses it.
"""

from __future__ import annotations

from functools import cache

_GROUPS = (
    "william bill billy will willy liam",
    "robert bob bobby rob robbie bert",
    "richard rick ricky dick rich richie",
    "james jim jimmy jamie",
    "john jack johnny jon",
    "jonathan jon jonny",
    "thomas tom tommy",
    "michael mike mikey mick mickey",
    "christopher chris kit",
    "christine chris chrissie tina",
    "nicholas nick nicky",
    "nicola nicky nikki",
    "anthony tony",
    "daniel dan danny",
    "david dave davey",
    "edward ed eddie ted teddy ned",
    "elizabeth liz lizzie beth betty eliza libby bess",
    "margaret maggie meg peggy madge",
    "catherine kate katie cathy kath kathryn katherine",
    "rebecca becky becca",
    "alexander alex alec sandy",
    "alexandra alex alexa lexi sandra",
    "samuel sam sammy",
    "samantha sam sammie",
    "benjamin ben benny",
    "joseph joe joey",
    "josephine jo josie",
    "matthew matt matty",
    "andrew andy drew",
    "stephen steve stevie steven",
    "charles charlie chas chuck",
    "charlotte charlie lottie",
    "henry harry hal",
    "frederick fred freddie",
    "patrick pat paddy",
    "patricia pat patsy trish",
    "peter pete",
    "susan sue susie suzanne",
    "deborah debbie deb",
    "jennifer jenny jen",
    "victoria vicky tori",
    "abigail abi abby gail",
    "jessica jess jessie",
    "olivia liv livvy",
    "isabella isabel izzy bella",
    "amelia millie amy",
    "eleanor ellie nell nora",
    "leonard leo len lenny",
    "kenneth ken kenny",
    "ronald ron ronnie",
    "donald don donnie",
    "gerald gerry jerry",
    "lawrence larry laurie",
    "zachary zach zac",
    "nathaniel nathan nat",
    "oliver ollie olly",
    "theodore theo ted",
    "mohammed muhammad mohammad mohamed",
)


@cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for group in _GROUPS:
        names = set(group.split())
        for name in names:
            table.setdefault(name, set()).update(names)
    return {name: frozenset(others - {name}) for name, others in table.items()}


def nicknames(word: str) -> frozenset[str]:
    """The names `word` (folded) may be recorded under instead, not including itself."""
    return _table().get(word, frozenset())
