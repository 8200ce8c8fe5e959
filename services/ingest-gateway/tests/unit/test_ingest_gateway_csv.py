"""CSV uploads: good rows taken and bad ones reported by line and column; a file wrong as a
whole (unknown columns, not UTF-8, damaged, empty, no rows) rejected with one error and nothing
from it taken — even when the damage is near its end."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from lateral_shared.contracts import RECORDS_RAW, RecordReceived, decode_event

Gateway = Any  # the `gateway` fixture of conftest.py
FILES = "/v1/feeds/trust-ed/files"
HEADER = ["source_record_id", "event_type", "event_date", "status", "forename", "surname",
          "date_of_birth", "nhs_number", "address_line_1", "postcode"]  # fmt: skip


@pytest.fixture
def gateway_settings() -> dict[str, Any]:
    return {"chunk_rows": 3, "max_upload_bytes": 20_000}


def row(source_id: str, **changes: str) -> dict[str, str]:
    base = {"source_record_id": source_id, "event_type": "emergency_attendance",
            "event_date": "2025-03-01", "status": "open", "forename": "Hannah",
            "surname": "Quillfeather", "date_of_birth": "2012-07-19", "nhs_number": "9434765919",
            "address_line_1": "4 Mill Lane", "postcode": "LS6 2AB"}  # fmt: skip
    return {**base, **changes}


def csv_file(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def upload(gateway: Gateway, content: bytes, **kwargs: Any) -> Any:
    files = {"file": ("extract.csv", content, "text/csv")}
    return await gateway.client.post(FILES, files=files, headers=gateway.health, **kwargs)


def published(gateway: Gateway) -> list[RecordReceived]:
    return [decode_event(RECORDS_RAW, value) for value in gateway.published()]  # type: ignore[misc]


async def test_an_uploaded_file_is_one_batch_numbered_by_line(gateway: Gateway) -> None:
    rows = [row(f"F{n}") for n in range(1, 6)]
    rows[1]["address_line_1"] = "Flat 2\nRiverside House"  # a quoted line break: two lines
    response = await upload(gateway, csv_file(rows))
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["way_in"], body["status"], body["received"], body["accepted"]) == (
        "upload", "completed", 5, 5,
    )  # fmt: skip
    events = published(gateway)
    assert [(e.source_record_id, e.row_number) for e in events] == [
        ("F1", 2), ("F2", 3), ("F3", 5), ("F4", 6), ("F5", 7),
    ]  # fmt: skip
    assert events[1].record is not None and events[1].record.address is not None
    assert events[1].record.address.lines == ["Flat 2\nRiverside House"]
    assert all(e.batch_id == events[0].batch_id for e in events)


async def test_a_file_sent_as_the_body_works_too(gateway: Gateway) -> None:
    response = await gateway.client.post(
        FILES, content=csv_file([row("F1")]),
        headers={**gateway.health, "Content-Type": "text/csv"},
    )  # fmt: skip
    assert (response.status_code, response.json()["accepted"]) == (202, 1)


async def test_bad_rows_are_named_by_line_and_column(gateway: Gateway) -> None:
    content = csv_file([row("F1"), row("F2", event_date="01/03/2025"), row("F3")])
    content += b"F4,emergency_attendance,2025-03-01\r\n\r\n,,,,,,,,,\r\n"  # short; then blanks
    response = await upload(gateway, content)
    body = response.json()
    errors = {(e["row"], e["field"]): e["problem"] for e in body["errors"]}
    assert list(errors) == [(3, "event_date"), (5, "row")]
    assert "has 3 cells but the header has 10 columns" in errors[(5, "row")]
    assert "01/03/2025" not in response.text and "Quillfeather" not in response.text
    assert [e.source_record_id for e in published(gateway)] == ["F1", "F3"]
    assert (body["received"], body["rejected"]) == (4, 2)  # the blank lines are not rows


async def test_the_same_record_by_csv_and_by_json_is_unchanged(gateway: Gateway) -> None:
    await upload(gateway, csv_file([row("F1")]))
    as_json = {key: value for key, value in row("F1").items()}
    person = {k: as_json.pop(k) for k in ("forename", "surname", "date_of_birth", "nhs_number")}
    address = {"lines": [as_json.pop("address_line_1")], "postcode": as_json.pop("postcode")}
    response = await gateway.client.post(
        "/v1/feeds/trust-ed/records",
        json={"records": [{**as_json, "person": person, "address": address}]},
        headers=gateway.health,
    )
    assert (response.json()["unchanged"], len(published(gateway))) == (1, 1)


GOOD = [row(f"F{n}") for n in range(1, 8)]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (csv_file(GOOD, [*HEADER, "case_notes"]), "Unknown columns: case_notes"),
        (csv_file(GOOD) + "F9,é\r\n".encode("latin-1"), "not UTF-8"),
        (csv_file(GOOD) + b'F9,"emergency"attendance,2025-03-01\r\n', "damaged at line 9"),
        (csv_file(GOOD) + b'F9,"emergency_attendance\r\n', "never closed"),
        (b"", "empty"),
        (csv_file([]), "no rows"),
        (csv_file(GOOD, HEADER[1:]), "source_record_id column is missing"),
        (b"F1,health,2025-03-01\r\n", "not a header"),
    ],
    ids=[
        "unknown-column",
        "not-utf8",
        "damaged",
        "open-quote",
        "empty",
        "no-rows",
        "no-id-column",
        "no-header",
    ],
)
async def test_a_file_wrong_as_a_whole_is_rejected_and_nothing_taken(
    gateway: Gateway, content: bytes, words: str
) -> None:
    response = await upload(gateway, content)
    assert response.status_code == 422
    body = response.json()
    assert (body["status"], body["received"]) == ("rejected", 0)
    assert words in body["file_error"]
    assert body["detail"] == [{"field": "file", "problem": body["file_error"]}]
    assert "Quillfeather" not in response.text
    assert gateway.published() == []
    stored = await gateway.client.get(f"/v1/batches/{body['batch_id']}", headers=gateway.health)
    assert stored.json()["file_error"] == body["file_error"]


async def test_an_upload_without_a_file_field_is_rejected(gateway: Gateway) -> None:
    response = await gateway.client.post(
        FILES, files={"attachment": ("x.csv", csv_file([row("F1")]), "text/csv")},
        headers=gateway.health,
    )  # fmt: skip
    assert response.status_code == 422
    assert "no field 'file'" in response.json()["file_error"]
    assert gateway.published() == []


async def test_an_upload_over_the_limit_gets_413(gateway: Gateway) -> None:
    big = csv_file([row(f"F{n}") for n in range(300)])  # about 36 kB, past the 20 kB limit
    response = await upload(gateway, big)
    assert response.status_code == 413
    assert gateway.published() == []


async def test_uploads_need_the_push_scope_and_an_own_feed(gateway: Gateway) -> None:
    content = csv_file([row("F1")])
    files = {"file": ("extract.csv", content, "text/csv")}
    no_token = await gateway.client.post(FILES, files=files)
    other = await gateway.client.post(FILES, files=files, headers=gateway.police)
    unknown = await gateway.client.post("/v1/feeds/nope/files", files=files, headers=gateway.health)
    assert (no_token.status_code, other.status_code, unknown.status_code) == (401, 403, 404)
    assert gateway.published() == []


async def test_a_file_can_withdraw_and_update_records(gateway: Gateway) -> None:
    await upload(gateway, csv_file([row("F1"), row("F2"), row("F3")]))
    header = ["action", *HEADER]
    changes = [{"action": "withdraw", "source_record_id": "F1"},
               row("F2", status="closed", end_date="2025-03-04"), row("F3")]  # fmt: skip
    body = (await upload(gateway, csv_file(changes, [*header, "end_date"]))).json()
    counts = [body[name] for name in ("received", "withdrawn", "updated", "unchanged")]
    assert counts == [3, 1, 1, 1]
    withdrawal, update = published(gateway)[3:]
    assert (withdrawal.action, withdrawal.source_record_id, withdrawal.record) == (
        "withdraw", "F1", None,
    )  # fmt: skip
    assert update.record is not None and update.record.status.value == "closed"
