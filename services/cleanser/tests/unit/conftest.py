"""A small gazetteer for the cleanser's tests: houses, a numbered and a named block of flats,
a named house, and two streets of the same name in different towns."""

from pathlib import Path

import pytest

from lateral_cleanser.adapters.gazetteer_csv import load_gazetteer
from lateral_cleanser.domain import Gazetteer

FIXTURE_GAZETTEER = Path(__file__).parent / "fixtures" / "gazetteer.csv"


@pytest.fixture(scope="session")
def gazetteer_path() -> Path:
    return FIXTURE_GAZETTEER


@pytest.fixture(scope="session")
def gazetteer(gazetteer_path: Path) -> Gazetteer:
    return load_gazetteer(gazetteer_path)
