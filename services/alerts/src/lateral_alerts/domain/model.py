"""The alert as the rules raise it and as a duty manager works it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

Severity = Literal["priority", "routine"]


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


def alert_id_for(rule: str, trigger_record_key: str, person_id: str) -> str:
    """The alert's ID: the same rule, trigger record and person always give the same ID, so a
    redelivered or re-sent record can never raise a second alert."""
    digest = hashlib.sha256(f"{rule}\x1f{trigger_record_key}\x1f{person_id}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """What a rule found: a person to alert about, and the record that triggered it."""

    rule: str
    severity: Severity
    person_id: str
    trigger_record_key: str
    address_key: str | None
    trigger_date: date

    @property
    def alert_id(self) -> str:
        return alert_id_for(self.rule, self.trigger_record_key, self.person_id)


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert: IDs and dates only, never personal data beyond the person ID."""

    alert_id: str
    rule: str
    severity: Severity
    person_id: str
    trigger_record_key: str
    address_key: str | None
    trigger_date: date
    raised_at: datetime
    status: AlertStatus = AlertStatus.OPEN
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    assigned_to: str | None = None

    @classmethod
    def raise_from(cls, candidate: AlertCandidate, *, at: datetime) -> Alert:
        """A new, open alert for `candidate`, raised at `at`."""
        return cls(
            alert_id=candidate.alert_id,
            rule=candidate.rule,
            severity=candidate.severity,
            person_id=candidate.person_id,
            trigger_record_key=candidate.trigger_record_key,
            address_key=candidate.address_key,
            trigger_date=candidate.trigger_date,
            raised_at=at,
        )
