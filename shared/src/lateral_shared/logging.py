"""JSON-lines logging with no personal data.

Only the message and an allow-list of structured fields (IDs, counts, topics, timings) are written;
anything else passed in `extra=` is dropped, so a careless `extra={"record": ...}` cannot leak.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

SAFE_FIELDS = frozenset(
    {
        "service", "topic", "partition", "offset", "group", "count", "batch_id", "feed_id",
        "partner_id", "event_id", "person_id", "record_key", "alert_id", "duration_ms", "status",
        "method", "route", "reason_code", "attempt", "url", "engine", "rows",
    }
)  # fmt: skip


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in SAFE_FIELDS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages of third-party exceptions may quote data.
            entry["exc_type"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log prints query strings, which can hold names; we log requests ourselves.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("aiokafka", "opensearch", "urllib3", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
