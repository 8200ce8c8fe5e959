"""Where each service lives. The launcher is the only code that imports services: it composes them
in embedded mode; in distributed mode each runs as its own process."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from lateral_shared.settings import ServiceSettings

SERVICE_NAMES = (
    "ingest-gateway",
    "cleanser",
    "matcher",
    "indexer",
    "search-api",
    "alerts",
    "audit",
)

# Services that own tables, so get a database of their own.
SERVICES_WITH_DATABASE = ("ingest-gateway", "matcher", "search-api", "alerts", "audit")


@dataclass(frozen=True)
class ServiceModule:
    name: str

    @property
    def package(self) -> str:
        return "lateral_" + self.name.replace("-", "_")

    def module(self, sub: str) -> ModuleType:
        return importlib.import_module(f"{self.package}.{sub}")

    @property
    def settings_class(self) -> type[ServiceSettings]:
        """The service's own settings class (the ServiceSettings subclass in its config.py)."""
        config = self.module("config")
        found = [
            cls
            for _, cls in inspect.getmembers(config, inspect.isclass)
            if issubclass(cls, ServiceSettings) and cls.__module__ == config.__name__
        ]
        if len(found) != 1:
            raise RuntimeError(f"{self.package}.config must define exactly one settings class")
        return found[0]

    @property
    def bootstrap(self) -> Callable[..., Awaitable[Any]]:
        return self.module("bootstrap").bootstrap  # type: ignore[no-any-return]

    @property
    def main(self) -> Callable[[], Any]:
        return self.module("entrypoints.main").main  # type: ignore[no-any-return]


SERVICES = {name: ServiceModule(name) for name in SERVICE_NAMES}
