"""Demo accounts and synthetic demo data for embedded mode (development only).

Accounts are made once with random secrets, kept in the data folder (readable by its owner only)
and reused on every start. Each demo partner is an OAuth2 client (client ID and secret). The demo
records are pushed through the ingest-gateway's public API exactly as a partner would: an access
token from the token endpoint first, then the batches; once: a marker file stops a second load.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from lateral_shared.contracts import AgencyKind, PartnerRecord
from lateral_shared.db import create_engine, session_factory
from lateral_synthetic import FEEDS, DemoDataset, generate_demo

from .embedded import EmbeddedLayout

DEMO_USERS = {
    "demo.practitioner": ["practitioner"],
    "demo.duty-manager": ["duty_manager"],
    "demo.ig-officer": ["ig_officer"],
    "demo.admin": ["admin"],
    "demo.data-steward": ["data_steward"],  # decides the matcher's review queue
}
BATCH_SIZE = 2_000
TOKEN_MARGIN_S = 60  # get a new access token this long before the old one expires
# Social care first, so the demo's incidents at a child's address find the open case.
FEED_ORDER = [
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.ADULT_SOCIAL_CARE,
    AgencyKind.HEALTH,
    AgencyKind.POLICE,
    AgencyKind.FIRE,
]


def _load_or_create_credentials(layout: EmbeddedLayout) -> dict[str, Any]:
    if layout.credentials_file.exists():
        credentials = _client_credentials(json.loads(layout.credentials_file.read_text()))
        return _with_every_demo_user(layout, credentials)
    partners: dict[str, Any] = {}
    for feed in FEEDS:
        partner = partners.setdefault(
            feed.partner_id,
            {
                "name": feed.partner_name,
                "client_id": feed.partner_id,
                "client_secret": secrets.token_urlsafe(32),
                "feeds": {},
            },
        )
        partner["feeds"][feed.feed_id] = feed.agency_kind.value
    credentials = {
        "users": {
            u: {"password": secrets.token_urlsafe(12), "roles": r} for u, r in DEMO_USERS.items()
        },
        "partners": partners,
    }
    fd = os.open(layout.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(credentials, f, indent=2)
    return credentials


def _with_every_demo_user(layout: EmbeddedLayout, credentials: dict[str, Any]) -> dict[str, Any]:
    """Credentials from a data folder made before a demo account existed (such as the data
    steward) gain that account, and the file is rewritten (still readable by its owner only)."""
    users = credentials.setdefault("users", {})
    missing = {u: r for u, r in DEMO_USERS.items() if u not in users}
    if not missing:
        return credentials
    for username, roles in missing.items():
        users[username] = {"password": secrets.token_urlsafe(12), "roles": roles}
    replacement = layout.credentials_file.with_suffix(".json.new")
    replacement.unlink(missing_ok=True)
    fd = os.open(replacement, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(credentials, f, indent=2)
    replacement.replace(layout.credentials_file)
    return credentials


def _client_credentials(credentials: dict[str, Any]) -> dict[str, Any]:
    """Credentials from a data folder made before partners were OAuth2 clients: each partner's
    old bearer token becomes its client secret (it is as long and as random)."""
    for partner_id, partner in credentials["partners"].items():
        partner.setdefault("client_id", partner_id)
        if "client_secret" not in partner:
            partner["client_secret"] = partner.pop("token")
    return credentials


async def ensure_demo_accounts(layout: EmbeddedLayout) -> dict[str, Any]:
    """Register the demo partners, feeds and staff accounts (idempotent); return their secrets."""
    from lateral_ingest_gateway.service_layer.partners import ensure_feed, ensure_partner
    from lateral_search_api.service_layer.users import ensure_user

    credentials = _load_or_create_credentials(layout)
    gateway = create_engine(layout.database_url("ingest-gateway"))
    try:
        async with session_factory(gateway)() as session:
            for partner_id, partner in credentials["partners"].items():
                await ensure_partner(
                    session,
                    partner_id=partner_id,
                    name=partner["name"],
                    client_id=partner["client_id"],
                    client_secret=partner["client_secret"],
                )
                for feed_id, kind in partner["feeds"].items():
                    await ensure_feed(
                        session,
                        feed_id=feed_id,
                        partner_id=partner_id,
                        agency_kind=AgencyKind(kind),
                    )
                    (layout.drop_folder_root / feed_id / "incoming").mkdir(
                        parents=True, exist_ok=True
                    )
            await session.commit()
    finally:
        await gateway.dispose()
    search = create_engine(layout.database_url("search-api"))
    try:
        async with session_factory(search)() as session:
            for username, user in credentials["users"].items():
                await ensure_user(
                    session, username=username, password=user["password"], roles=user["roles"]
                )
            await session.commit()
    finally:
        await search.dispose()
    return credentials


async def load_demo_data(
    base_url: str, credentials: dict[str, Any], *, records: int, seed: int
) -> dict[str, Any]:
    """Generate the synthetic demo records and push them through the gateway."""
    sent = await push_dataset(base_url, credentials, generate_demo(seed=seed, records=records))
    print(
        f"Loaded {sum(sent.values())} synthetic demo records from {len(sent)} feeds "
        f"(seed {seed}); the pipeline links and indexes them in the background.",
        flush=True,
    )
    return {"seed": seed, "records": sent}


async def push_dataset(
    base_url: str, credentials: dict[str, Any], dataset: DemoDataset
) -> dict[str, int]:
    """POST every feed's records to the gateway as its partner would; return counts per feed."""
    partner_of_feed = {
        feed_id: p for p in credentials["partners"].values() for feed_id in p["feeds"]
    }
    feeds = sorted(dataset.feeds, key=lambda f: FEED_ORDER.index(f.agency_kind))
    sent: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        tokens = AccessTokens(client)
        for feed in feeds:
            partner = partner_of_feed[feed.feed_id]
            for chunk in _chunks(dataset.records_by_feed[feed.feed_id], BATCH_SIZE):
                token = await tokens.get(partner["client_id"], partner["client_secret"])
                response = await client.post(
                    f"/v1/feeds/{feed.feed_id}/records",
                    json={"records": [r.model_dump(mode="json", exclude_none=True) for r in chunk]},
                    headers={"Authorization": f"Bearer {token}"},
                )
                response.raise_for_status()
                sent[feed.feed_id] = sent.get(feed.feed_id, 0) + len(chunk)
    return sent


class AccessTokens:
    """Access tokens from the gateway's token endpoint, one per client, renewed before expiry."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._tokens: dict[str, tuple[str, float]] = {}  # client ID → (token, renew after)

    async def get(self, client_id: str, client_secret: str) -> str:
        cached = self._tokens.get(client_id)
        if cached is not None and time.monotonic() < cached[1]:
            return cached[0]
        response = await self._client.post(
            "/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
        response.raise_for_status()
        body = response.json()
        renew_after = time.monotonic() + max(0, int(body["expires_in"]) - TOKEN_MARGIN_S)
        self._tokens[client_id] = (str(body["access_token"]), renew_after)
        return str(body["access_token"])


def _chunks(items: Sequence[PartnerRecord], size: int) -> Iterator[Sequence[PartnerRecord]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
