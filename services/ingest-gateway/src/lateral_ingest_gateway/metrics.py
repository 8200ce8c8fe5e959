"""The ingest-gateway's Prometheus metrics. Labels carry no personal data: outcome, way in,
status."""

from __future__ import annotations

from prometheus_client import Counter

ROWS = Counter(
    "lateral_ingest_rows_total",
    "Rows of partner batches by what became of them (accepted, updated, unchanged, withdrawn, "
    "rejected).",
    ["outcome"],
)
BATCHES = Counter(
    "lateral_ingest_batches_total",
    "Finished batches by way in (api, upload, drop_folder) and status (completed, rejected, "
    "failed).",
    ["way_in", "status"],
)
BYTES_RECEIVED = Counter(
    "lateral_ingest_bytes_received_total",
    "Bytes of JSON bodies and CSV files received, by way in.",
    ["way_in"],
)
