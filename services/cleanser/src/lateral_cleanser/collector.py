"""The garbage collector tuned for the cleanser's own process (distributed mode)."""

from __future__ import annotations

import gc

# Young objects allocated between collections of the youngest generation (Python's default: 700).
COLLECT_EVERY = 10_000


def tune_collector() -> None:
    """Freeze what lives for the whole run (the gazetteer, the modules) and collect the youngest
    generation every `COLLECT_EVERY` allocations.

    Cleansing a record allocates dozens of short-lived, acyclic objects (dicts, lists, models)
    that reference counting frees; the cyclic collector finds nothing among them, yet at the
    default threshold it took about a fifth of the cleanser's time, walking the memo caches again
    and again (`bench/cleanser_throughput.py` prints both). Call it once the gazetteer is loaded,
    and only in the cleanser's own process: in embedded mode the process is every service's.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])
