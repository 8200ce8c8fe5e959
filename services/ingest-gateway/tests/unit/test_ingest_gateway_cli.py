"""The administration commands: partner clients and feeds, a secret shown once and never stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.entrypoints import main as entrypoint
from lateral_ingest_gateway.service_layer.partners import authenticate_client
from lateral_shared.db import session_factory


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "gateway.db"
    monkeypatch.setenv("LATERAL_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    # main() installs JSON logging on the root logger; keep pytest's own handlers in place.
    monkeypatch.setattr(entrypoint, "configure_logging", lambda level: None)
    return path


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        entrypoint.main(list(argv))
    return int(exited.value.code or 0)


def printed(out: str, label: str) -> str:
    """The value of the `label: value` line a command printed (as scripts parse it)."""
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(f"{label}:"))


def authenticates(path: Path, client_id: str, secret: str) -> str | None:
    async def check() -> str | None:
        engine = await open_database(f"sqlite+aiosqlite:///{path}")
        async with session_factory(engine)() as session:
            partner = await authenticate_client(session, client_id=client_id, client_secret=secret)
        await engine.dispose()
        return partner.partner_id if partner else None

    return asyncio.run(check())


def stored_bytes(database: Path) -> bytes:
    return b"".join(p.read_bytes() for p in database.parent.glob("gateway.db*"))


def test_partners_add_prints_client_credentials_once_and_stores_no_secret(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "Leeds Teaching Hospitals") == 0
    out = capsys.readouterr().out
    assert printed(out, "partner_id") == "leeds-teaching-hospitals"
    client_id, secret = printed(out, "client_id"), printed(out, "client_secret")
    assert client_id == "leeds-teaching-hospitals"
    assert printed(out, "scopes") == "records:write batches:read"
    assert len(secret) >= 32
    assert authenticates(database, client_id, secret) == "leeds-teaching-hospitals"
    assert authenticates(database, client_id, secret + "x") is None
    assert secret.encode() not in stored_bytes(database)


def test_rotate_secret_prints_a_new_one_and_the_old_one_stops_working(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "West Fire", "--id", "west-fire", "--client-id", "wf-app") == 0
    old = printed(capsys.readouterr().out, "client_secret")
    assert run("partners", "rotate-secret", "west-fire") == 0
    out = capsys.readouterr().out
    new = printed(out, "client_secret")
    assert printed(out, "client_id") == "wf-app"
    assert new != old
    assert authenticates(database, "wf-app", old) is None
    assert authenticates(database, "wf-app", new) == "west-fire"
    assert new.encode() not in stored_bytes(database)
    assert run("partners", "rotate-secret", "nobody") == 1
    assert "no partner nobody" in capsys.readouterr().out


def test_partners_list_disable_scopes_and_feeds(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "West Police", "--id", "west-police") == 0
    secret = printed(capsys.readouterr().out, "client_secret")
    assert run("partners", "add", "Audit Desk", "--id", "desk", "--scope", "batches:read") == 0
    capsys.readouterr()
    assert (
        run("feeds", "add", "west-cc", "--partner", "west-police", "--agency-kind", "police") == 0
    )
    assert run("feeds", "list") == 0
    assert "west-cc\twest-police\tpolice" in capsys.readouterr().out
    assert run("partners", "disable", "west-police") == 0
    assert run("partners", "list") == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    by_id = {fields[0]: fields for fields in lines}
    assert by_id["west-police"][1:4] == ["disabled", "west-police", "batches:read,records:write"]
    assert by_id["west-police"][5] == "West Police"
    assert by_id["desk"][1:4] == ["enabled", "desk", "batches:read"]
    assert authenticates(database, "west-police", secret) is None


def test_mistakes_are_reported_with_a_failing_exit_code(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "Fire", "--id", "fire") == 0
    assert run("partners", "add", "Fire again", "--id", "fire") == 1
    assert run("partners", "add", "Other", "--id", "other", "--client-id", "fire") == 1
    assert run("partners", "add", "!!!") == 1
    assert run("feeds", "add", "f1", "--partner", "nobody", "--agency-kind", "fire") == 1
    assert run("partners", "disable", "nobody") == 1
    out = capsys.readouterr().out
    assert "already exists" in out and "no partner nobody" in out
    assert "client ID fire is already registered" in out and "give --id" in out
    with pytest.raises(SystemExit):
        entrypoint.main(["partners", "add", "X", "--scope", "records:delete"])


def test_migrate_command(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entrypoint.main(["migrate"])
    assert "newest migration" in capsys.readouterr().out
    assert database.exists()
