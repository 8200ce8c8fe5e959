"""The alerts API's request and response bodies: IDs, dates and statuses, no personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from lateral_alerts.adapters.repository import AlertPage
from lateral_alerts.domain.model import Alert, AlertStatus, Severity


class AlertRead(BaseModel):
    alert_id: str
    rule: str
    severity: Severity
    person_id: str
    trigger_record_key: str
    address_key: str | None
    trigger_date: date
    raised_at: datetime
    status: AlertStatus
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    assigned_to: str | None

    @classmethod
    def of(cls, alert: Alert) -> AlertRead:
        return cls.model_validate(alert, from_attributes=True)


class AlertPageRead(BaseModel):
    items: list[AlertRead]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: AlertPage) -> AlertPageRead:
        return cls(
            items=[AlertRead.of(a) for a in page.items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
        )


class AssignmentUpdate(BaseModel):
    """Who the alert is assigned to: a staff user name."""

    model_config = ConfigDict(extra="forbid")

    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
