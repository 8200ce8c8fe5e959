"""The cyclic garbage collector, tuned for long-running services.

Every service freezes what it made while starting once it is serving (`runtime.serve` calls
`freeze_startup_objects`): modules, classes, routes, schemas, reference data such as the
cleanser's gazetteer. Under load, the objects of requests and batches in flight outlive the young
generations and trigger full collections; unfrozen, each walked every object in the process while
holding the GIL (50-300 ms in the search-api on the bench machine, its p95).

Services that keep large memo caches (the cleanser's address rules, the matcher's parsed records
and name profiles) also allocate dozens of short-lived, acyclic objects per record, which
reference counting frees; at Python's default threshold (700) the cyclic collector still ran over
and over, walking the caches and finding nothing: about a fifth of the cleanser's time and ~80 µs
of the matcher's ~500 µs per record (`bench/cleanser_throughput.py`,
`bench/resolver_throughput.py`). They call `collect_young_every` in their own process; embedded
mode, where the process is every service's, sets a smaller threshold of its own
(`lateral_cli.embedded.COLLECT_EVERY`).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Keep what exists now out of every later collection (call once start-up is done)."""
    gc.collect()
    gc.freeze()


def collect_young_every(allocations: int) -> None:
    """Collect the youngest generation every `allocations` allocations instead of 700."""
    gc.set_threshold(allocations, *gc.get_threshold()[1:])


def tune_collector(collect_every: int) -> None:
    """Both, as a service's own process has them once serving (for benchmarks)."""
    freeze_startup_objects()
    collect_young_every(collect_every)
