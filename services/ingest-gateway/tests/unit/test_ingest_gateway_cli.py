"""The administration commands: partners and feeds, and a token shown once and never stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lateral_ingest_gateway.bootstrap import open_database
from lateral_ingest_gateway.entrypoints import main as entrypoint
from lateral_ingest_gateway.service_layer.partners import authenticate
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


def authenticates(path: Path, token: str) -> str | None:
    async def check() -> str | None:
        engine = await open_database(f"sqlite+aiosqlite:///{path}")
        async with session_factory(engine)() as session:
            partner = await authenticate(session, token=token)
        await engine.dispose()
        return partner.partner_id if partner else None

    return asyncio.run(check())


def test_partners_add_prints_a_working_token_that_is_not_stored(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "Leeds Teaching Hospitals") == 0
    out = capsys.readouterr().out
    assert "partner_id: leeds-teaching-hospitals" in out
    token = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("token:"))
    assert len(token) >= 32
    assert authenticates(database, token) == "leeds-teaching-hospitals"
    stored = b"".join(p.read_bytes() for p in database.parent.glob("gateway.db*"))
    assert token.encode() not in stored


def test_partners_list_disable_and_feeds(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "West Police", "--id", "west-police") == 0
    token = capsys.readouterr().out.split("token: ")[1].split()[0]
    assert (
        run("feeds", "add", "west-cc", "--partner", "west-police", "--agency-kind", "police") == 0
    )
    assert run("feeds", "list") == 0
    assert "west-cc\twest-police\tpolice" in capsys.readouterr().out
    assert run("partners", "disable", "west-police") == 0
    assert run("partners", "list") == 0
    assert "west-police\tdisabled\tWest Police" in capsys.readouterr().out
    assert authenticates(database, token) is None


def test_mistakes_are_reported_with_a_failing_exit_code(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("partners", "add", "Fire", "--id", "fire") == 0
    assert run("partners", "add", "Fire again", "--id", "fire") == 1
    assert run("feeds", "add", "f1", "--partner", "nobody", "--agency-kind", "fire") == 1
    assert run("partners", "disable", "nobody") == 1
    out = capsys.readouterr().out
    assert "already exists" in out and "no partner nobody" in out


def test_migrate_command(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entrypoint.main(["migrate"])
    assert "newest migration" in capsys.readouterr().out
    assert database.exists()
