"""Contract models built from values the cleansing rules have already checked.

Validating a `CleanRecord` re-checks what the rules just produced, and costs about as much as
some of the rules (three models per record: the record, its person and its address).
`model_construct` does not help: it walks the fields in Python and is no faster than validating.
`trusted` sets the instance's state the way `model_construct` does, in one step.

Only for values the domain built itself: every field given, each of its declared type. The
cleanser's tests check that records built this way equal, serialise and decode exactly like
validated ones (`test_cleanser_trusted.py`), so a pydantic upgrade that changes the model's
internals fails there, not in a consumer.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

Model = TypeVar("Model", bound=BaseModel)

_set = object.__setattr__  # the models are frozen: their own __setattr__ refuses


def trusted(model: type[Model], fields: dict[str, Any]) -> Model:
    """An instance of `model` holding `fields` as they are, without validation.

    `fields` must name every field of the model in the order the model declares them: pydantic
    serialises a model's fields in the order its instance holds them."""
    if tuple(fields) != _field_names(model):
        raise TypeError(f"{model.__name__} needs all of its fields, in its own order")
    instance = model.__new__(model)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", set(fields))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


@cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.__pydantic_fields__)
