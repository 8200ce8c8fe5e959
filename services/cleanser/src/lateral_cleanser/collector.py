"""The garbage collector's setting for the cleanser's own process (distributed mode)."""

from __future__ import annotations

# Young objects allocated between collections of the youngest generation (Python's default: 700);
# `lateral_shared.collector` says why.
COLLECT_EVERY = 10_000
