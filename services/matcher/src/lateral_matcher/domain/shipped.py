"""The deployed match model: a versioned JSON document shipped inside the package."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from .model import MatchModel, model_from_json

SHIPPED_MODEL = "linkage_model.json"


@cache
def load_shipped_model() -> MatchModel:
    """The model trained on synthetic data (a different seed from any evaluation data)."""
    return model_from_json(files(__package__).joinpath(SHIPPED_MODEL).read_text(encoding="utf-8"))
