"""Embedded mode: all seven services in one process on the embedded log, SQLite and the embedded
index, behind one HTTP server on 127.0.0.1. Data lives in one folder and survives restarts."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lateral_shared.bus import connect_bus
from lateral_shared.collector import collect_young_every
from lateral_shared.contracts import ALL_TOPICS
from lateral_shared.index import connect_index
from lateral_shared.runtime import Service, serve
from lateral_shared.settings import ServiceSettings

from .services import SERVICES, SERVICES_WITH_DATABASE

# Young objects allocated between collections of the youngest generation, for the one process
# every service shares (Python's default: 700). At 700 the cyclic collector ran over and over
# through the matcher's and the cleanser's caches and found nothing: the matcher's handler ran
# ~25% slower than at 10,000 (`bench/matcher_throughput.py`, 3,191 against 4,358 records/s on
# the test data set). The matcher's own process takes 200,000; here the search-api shares the
# process, and a young collection is a pause in every search under way: 10,000 (the cleanser's
# own) keeps each short.
COLLECT_EVERY = 10_000


@dataclass(frozen=True)
class EmbeddedLayout:
    """Where embedded mode keeps its files."""

    data_dir: Path

    @property
    def bus_url(self) -> str:
        return f"embedded://{self.data_dir / 'bus.db'}"

    @property
    def index_url(self) -> str:
        return f"embedded://{self.data_dir / 'index.db'}"

    def database_url(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{self.data_dir / (service.replace('-', '_') + '.db')}"

    @property
    def drop_folder_root(self) -> Path:
        """Partners' drop folders: `<feed_id>/incoming/*.csv`, as an SFTP landing area would."""
        return self.data_dir / "drop"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def demo_marker(self) -> Path:
        return self.data_dir / "demo-loaded.json"

    def secret(self) -> str:
        """This installation's signing key: made once, kept private to its owner."""
        if not self.secret_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return self.secret_file.read_text().strip()


def settings_for(name: str, layout: EmbeddedLayout, **overrides: Any) -> ServiceSettings:
    """A service's settings in embedded mode: environment first, then the data folder's paths."""
    values: dict[str, Any] = {
        "bus_url": layout.bus_url,
        "secret_key": layout.secret(),
        **overrides,
    }
    if name in SERVICES_WITH_DATABASE:
        values["database_url"] = layout.database_url(name)
    if name == "ingest-gateway" and "LATERAL_DROP_FOLDER_ROOT" not in os.environ:
        values["drop_folder_root"] = layout.drop_folder_root
    settings_class = SERVICES[name].settings_class
    if "index_url" in settings_class.model_fields:
        values["index_url"] = layout.index_url
    return settings_class(**values)


async def build_services(layout: EmbeddedLayout, **overrides: Any) -> list[Service]:
    """Bootstrap all seven services around one shared bus and one shared index."""
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    common = settings_for("cleanser", layout, **overrides)
    bus = connect_bus(layout.bus_url, common)
    await bus.start()
    await bus.ensure_topics(list(ALL_TOPICS), partitions=common.topic_partitions)
    index = connect_index(layout.index_url)
    await index.start()
    services = []
    for name, module in SERVICES.items():
        settings = settings_for(name, layout, **overrides)
        services.append(await module.bootstrap(settings, bus=bus, index=index))
    # The shared engines close after every service has stopped.
    services[-1].on_stop.extend([index.close, bus.close])
    return services


async def run(
    layout: EmbeddedLayout, *, host: str, port: int, demo_records: int, seed: int
) -> None:
    """Start everything, load the demo data once, print how to use it, serve until stopped."""
    from .demo import ensure_demo_accounts, load_demo_data

    services = await build_services(layout, http_host=host, http_port=port)
    collect_young_every(COLLECT_EVERY)
    credentials = await ensure_demo_accounts(layout)
    ready = asyncio.Event()
    server = asyncio.create_task(serve(services, host=host, port=port, ready=ready))
    ready_or_done = asyncio.create_task(ready.wait())
    await asyncio.wait({server, ready_or_done}, return_when=asyncio.FIRST_COMPLETED)
    if server.done():
        ready_or_done.cancel()
        await server  # re-raises why it could not start
        return
    base_url = f"http://{host}:{port}"
    if demo_records > 0 and not layout.demo_marker.exists():
        summary = await load_demo_data(base_url, credentials, records=demo_records, seed=seed)
        layout.demo_marker.write_text(json.dumps(summary, indent=2))
    print_banner(layout, base_url, credentials)
    await server


def print_banner(layout: EmbeddedLayout, base_url: str, credentials: dict[str, Any]) -> None:
    users = credentials["users"]
    print(
        f"""
Lateral is running (embedded mode) at {base_url}
  web search page:   {base_url}/
  API documentation: {base_url}/docs
  data folder:       {layout.data_dir}

Sign in with a demo account (passwords are in {layout.credentials_file}):
  {", ".join(f"{u} ({', '.join(v['roles'])})" for u, v in users.items())}

API: get a token, then search with a reason:
  curl -s -d username=demo.practitioner -d password=PASSWORD {base_url}/v1/auth/token
  curl -s -H "Authorization: Bearer TOKEN" -H "Content-Type: application/json" \\
       -d '{{"name": "smith", "reason": "demo"}}' {base_url}/v1/search
Partner feeds get an access token with their client ID and secret (in the same file):
  curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials {base_url}/v1/oauth/token
then POST JSON to {base_url}/v1/feeds/FEED/records or a CSV file to .../files, or leave a CSV in
{layout.drop_folder_root}/FEED/incoming/.
The data schema: {base_url}/v1/schema and docs/data-schema.md.
Stop with Ctrl-C; data is kept for the next start.
""",
        flush=True,
    )
