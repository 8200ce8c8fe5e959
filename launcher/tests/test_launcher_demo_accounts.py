"""Demo accounts in embedded mode: every role has one, and a data folder made before an account
existed (such as the data steward's) gains it without losing the accounts it had."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from lateral_cli.demo import DEMO_USERS, _load_or_create_credentials
from lateral_cli.embedded import EmbeddedLayout
from lateral_shared.auth import Role

KEPT = "kept-password"  # a test-only value


def test_every_role_has_a_demo_account(tmp_path: Path) -> None:
    credentials = _load_or_create_credentials(EmbeddedLayout(tmp_path))
    roles = {role for user in credentials["users"].values() for role in user["roles"]}
    assert roles == {r.value for r in Role}
    assert credentials["users"]["demo.data-steward"]["roles"] == ["data_steward"]


def test_an_older_data_folder_gains_the_missing_accounts_and_keeps_its_own(tmp_path: Path) -> None:
    layout = EmbeddedLayout(tmp_path)
    old = {
        "users": {"demo.practitioner": {"password": KEPT, "roles": ["practitioner"]}},
        "partners": {},
    }
    layout.credentials_file.write_text(json.dumps(old))
    layout.credentials_file.chmod(0o600)
    credentials = _load_or_create_credentials(layout)
    assert set(credentials["users"]) == set(DEMO_USERS)
    assert credentials["users"]["demo.practitioner"]["password"] == KEPT
    # Written back, so the next start (and the banner's file) has the same new passwords.
    on_disk = json.loads(layout.credentials_file.read_text())
    assert on_disk["users"] == credentials["users"]
    assert stat.S_IMODE(layout.credentials_file.stat().st_mode) == 0o600
    again = _load_or_create_credentials(layout)
    assert again["users"] == credentials["users"]
