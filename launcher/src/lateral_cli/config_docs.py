"""Generate `docs/configuration.md`: every environment variable of every service, from the code."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from lateral_shared.settings import ServiceSettings

from .services import SERVICES

HEADER = """# Configuration

Every Lateral service is configured only by environment variables (an optional `.env` file in the
working directory is read too). This table is generated from the services' settings classes by
`lateral config-docs`; a test fails when it is out of date.

In embedded mode (`make up`) the launcher sets the bus, database and index locations inside the
data folder and makes a signing key there; the variables below still override the rest.

| variable | services | default | description |
| --- | --- | --- | --- |
"""


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "(required)"
    value: Any = field.get_default(call_default_factory=True)
    if isinstance(value, SecretStr):
        return "(placeholder; must be set outside development)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | tuple):
        return "`" + ",".join(str(v) for v in value) + "`" if value else "(empty)"
    return f"`{value}`"


def render() -> str:
    rows: dict[str, dict[str, Any]] = {}
    for name, module in SERVICES.items():
        for field_name, field in module.settings_class.model_fields.items():
            var = "LATERAL_" + field_name.upper()
            # A service may narrow a common variable's default; the common field documents it.
            common = ServiceSettings.model_fields.get(field_name, field)
            row = rows.setdefault(var, {"services": [], "field": common})
            row["services"].append(name)
    lines = [HEADER]
    for var in sorted(rows):
        row = rows[var]
        services = "all" if len(row["services"]) == len(SERVICES) else ", ".join(row["services"])
        description = (row["field"].description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{var}` | {services} | {_default(row['field'])} | {description} |\n")
    return "".join(lines)
