"""axe-core (vendored, see vendor/README.md) run inside a page: the serious and critical
accessibility violations it finds, against WCAG 2.0-2.2 A and AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RUN = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
  }));
}"""


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Injected through the DevTools protocol, so the page's strict CSP stays as it is."""
    await page.evaluate(AXE)
    violations: list[dict[str, Any]] = await page.evaluate(RUN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]
