"""The review API's request and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lateral_matcher.adapters.identity import IdentityChange
from lateral_matcher.adapters.reviews import ReviewItem
from lateral_shared.contracts.records import CleanRecord


class DecisionCreate(BaseModel):
    """A data steward's decision on a review item."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "not_same"]
    reason: str = Field(min_length=1, max_length=2000)


class ReviewItemRead(BaseModel):
    review_id: str
    record_key: str
    person_id: str
    source: str  # "matcher" (a doubtful score) or "practitioner" (a report)
    match_weight: float | None
    probability: float | None
    explanation: dict[str, Any] | None
    reported_by: str | None
    report_reason: str | None
    status: str  # "open", "same" or "not_same"
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewItemRead:
        return cls(**{name: getattr(item, name) for name in cls.model_fields})


class ReviewItemPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ReviewItemRead]


class ReviewItemDetail(ReviewItemRead):
    record: CleanRecord | None
    current_person_id: str | None
    person_records: list[CleanRecord]


class IdentityChangeRead(BaseModel):
    kind: str
    person_id: str
    other_person_id: str
    record_keys: list[str]
    cause_record_key: str | None
    reason: str
    actor: str
    occurred_at: datetime

    @classmethod
    def of(cls, change: IdentityChange) -> IdentityChangeRead:
        return cls(**{name: getattr(change, name) for name in cls.model_fields})


class IdentityRead(BaseModel):
    person_id: str
    current_person_id: str
    changes: list[IdentityChangeRead]
