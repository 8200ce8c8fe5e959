"""Word lists: people's names (Faker's en_GB lists), nicknames, and invented places and streets."""

from __future__ import annotations

from itertools import accumulate
from typing import Final

from faker.providers.person.en_GB import Provider as _Names

FEMALE_FORENAMES: Final = tuple(sorted(_Names.first_names_female))
MALE_FORENAMES: Final = tuple(sorted(_Names.first_names_male))
SURNAMES: Final = tuple(_Names.last_names)
# Faker weights surnames by how common they are; keep the weights (Smith is common, Pell rare).
SURNAME_CUM_WEIGHTS: Final = tuple(accumulate(_Names.last_names.values()))

NICKNAMES: Final = {
    "Alexander": "Alex", "Andrew": "Andy", "Anthony": "Tony", "Benjamin": "Ben",
    "Catherine": "Cathy", "Charlotte": "Lottie", "Christopher": "Chris", "Daniel": "Dan",
    "David": "Dave", "Deborah": "Debbie", "Edward": "Ted", "Elizabeth": "Beth",
    "Frederick": "Fred", "Gemma": "Gem", "Jacqueline": "Jackie", "James": "Jim",
    "Jennifer": "Jenny", "Jessica": "Jess", "Jonathan": "Jon", "Joseph": "Joe",
    "Joshua": "Josh", "Katherine": "Kate", "Kimberley": "Kim", "Margaret": "Maggie",
    "Matthew": "Matt", "Michael": "Mike", "Nicholas": "Nick", "Nicola": "Nicky",
    "Oliver": "Ollie", "Patricia": "Pat", "Peter": "Pete", "Rebecca": "Becky",
    "Richard": "Rich", "Robert": "Bob", "Samantha": "Sam", "Samuel": "Sam",
    "Stephen": "Steve", "Susan": "Sue", "Thomas": "Tom", "Timothy": "Tim",
    "Victoria": "Vicky", "William": "Bill", "Zachary": "Zak",
}  # fmt: skip

# Invented place names: no real town is meant.
PLACE_STEMS: Final = (
    "Ash", "Alder", "Brack", "Bram", "Cold", "Corn", "Elder", "Fen", "Fox", "Gorse", "Hazel",
    "Heron", "Holm", "Kestrel", "Lark", "Ling", "Marl", "Moss", "Nettle", "Orm", "Owl", "Quill",
    "Reed", "Rook", "Rush", "Sedge", "Sloe", "Tansy", "Teal", "Thorn", "Vetch", "Wren", "Yarrow",
    "Bryony", "Clover", "Dunnock", "Fern", "Linnet", "Sorrel", "Whin",
)  # fmt: skip
PLACE_ENDINGS: Final = (
    "bury", "combe", "den", "field", "hollow", "mere", "stow", "wick", "ford", "ley", "ham",
    "thorpe", "by", "worth", "ton", "well",
)  # fmt: skip
VILLAGE_FORMS: Final = ("{}", "Little {}", "Upper {}", "{} Green", "{} End", "Nether {}")

STREET_WORDS: Final = (
    "Acacia", "Albert", "Alexandra", "Beech", "Birch", "Bridge", "Brook", "Canal", "Castle",
    "Cedar", "Chapel", "Chestnut", "Church", "Clarence", "Coronation", "Cromwell", "Dale",
    "Elm", "Empress", "Farm", "Field", "Forge", "George", "Glebe", "Grange", "Green", "Hall",
    "Hawthorn", "Heath", "High", "Hill", "Holly", "Kings", "Lime", "Manor", "Maple", "Market",
    "Meadow", "Mill", "Moor", "New", "Nelson", "North", "Oak", "Orchard", "Park", "Poplar",
    "Priory", "Queens", "Rectory", "Regent", "River", "Rowan", "St Johns", "St Marys",
    "School", "Spring", "Station", "Tannery", "Valley", "Vicarage", "Victoria", "Water",
    "Well", "West", "Willow", "Windmill", "York",
)  # fmt: skip
STREET_KINDS: Final = (
    "Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Gardens", "Crescent",
    "Terrace", "Grove", "Place",
)  # fmt: skip
BLOCK_KINDS: Final = ("Court", "House", "Mansions", "Lodge", "Heights", "Point")
HOUSE_NAMES: Final = (
    "Rose Cottage", "The Old Forge", "Ivy Cottage", "The Laurels", "Orchard House",
    "The Old Rectory", "Meadow View", "Hillside", "The Barn", "Woodlands",
)  # fmt: skip
# How partners shorten street and block words (the cleanser spells them out again).
ABBREVIATIONS: Final = {
    "Road": "Rd", "Street": "St", "Lane": "Ln", "Close": "Cl", "Avenue": "Ave",
    "Drive": "Dr", "Gardens": "Gdns", "Crescent": "Cres", "Terrace": "Ter", "Grove": "Gr",
    "Place": "Pl", "Court": "Ct",
}  # fmt: skip

TEAMS: Final = {
    "childrens_social_care": (
        "Assessment Team", "Child Protection Team", "Children in Care Team", "Early Help Hub",
        "Disabled Children's Team",
    ),
    "adult_social_care": (
        "Adult Safeguarding Team", "Community Care Team", "Hospital Discharge Team",
        "Learning Disability Team",
    ),
}  # fmt: skip


def place_name(index: int) -> str:
    """The `index`-th invented place name (distinct for every index below 640)."""
    stems, endings = len(PLACE_STEMS), len(PLACE_ENDINGS)
    # Step through the grid diagonally so neighbouring indices do not share a stem.
    return PLACE_STEMS[index % stems] + PLACE_ENDINGS[(index // stems + index) % endings]
