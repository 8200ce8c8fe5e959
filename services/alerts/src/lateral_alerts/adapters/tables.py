"""The alerts service's tables (portable: SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, MetaData, String, Table

metadata = MetaData()

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("rule", String(100), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("trigger_record_key", String(200), nullable=False),
    Column("address_key", String(512), nullable=True),
    Column("trigger_date", Date, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("acknowledged_by", String(100), nullable=True),
    Column("acknowledged_at", DateTime(timezone=True), nullable=True),
    Column("assigned_to", String(100), nullable=True),
    # Set once `alerts.raised` has the alert: a crash between storing and publishing is caught up
    # on redelivery instead of losing the notification.
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_alerts_raised_at", "raised_at"),
    Index("ix_alerts_status_raised_at", "status", "raised_at"),
    Index("ix_alerts_person_id", "person_id"),
)
