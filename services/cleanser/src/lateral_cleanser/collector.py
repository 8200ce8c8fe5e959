"""The garbage collector tuned for the cleanser's own process (distributed mode)."""

from __future__ import annotations

from lateral_shared.collector import tune_collector as _tune

# Young objects allocated between collections of the youngest generation (Python's default: 700).
COLLECT_EVERY = 10_000


def tune_collector() -> None:
    """Call once the gazetteer is loaded, so it is frozen with the modules
    (`lateral_shared.collector`)."""
    _tune(COLLECT_EVERY)
