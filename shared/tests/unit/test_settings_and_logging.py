"""Settings refuse placeholder secrets in production; logs keep only safe structured fields."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from lateral_shared.logging import JsonFormatter
from lateral_shared.settings import ServiceSettings


def test_production_refuses_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATERAL_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="LATERAL_SECRET_KEY must be set"):
        ServiceSettings()


def test_production_accepts_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATERAL_ENVIRONMENT", "production")
    monkeypatch.setenv("LATERAL_SECRET_KEY", "s" * 40)
    assert ServiceSettings().secret_key.get_secret_value() == "s" * 40


def test_settings_come_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LATERAL_BUS_URL", "kafka://127.0.0.1:9092")
    monkeypatch.setenv("LATERAL_TOPIC_PARTITIONS", "12")
    settings = ServiceSettings()
    assert (settings.bus_url, settings.topic_partitions) == ("kafka://127.0.0.1:9092", 12)


def test_log_lines_drop_fields_that_are_not_on_the_safe_list() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "linked", None, None)
    record.__dict__.update(
        {"record_key": "f1/CSC-1", "surname": "Marsh", "nhs_number": "9434765919"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["record_key"] == "f1/CSC-1"
    assert "Marsh" not in json.dumps(line) and "9434765919" not in json.dumps(line)


def test_exception_messages_are_not_logged_only_their_type() -> None:
    try:
        raise ValueError("surname Marsh is invalid")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = JsonFormatter().format(record)
    assert "Marsh" not in line and json.loads(line)["exc_type"] == "ValueError"
