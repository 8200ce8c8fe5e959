"""The cyclic garbage collector tuned for one service's own process (distributed mode).

Services that keep large memo caches (the cleanser's gazetteer and address rules, the matcher's
parsed records and name profiles) allocate dozens of short-lived, acyclic objects per record,
which reference counting frees; at Python's default threshold (700) the cyclic collector still ran
over and over, walking the caches and finding nothing: about a fifth of the cleanser's time and
~80 µs of the matcher's ~500 µs per record (`bench/cleanser_throughput.py`,
`bench/resolver_throughput.py`). Only in a service's own process: in embedded mode the process
is every service's, and the web server's start-up freeze (`runtime`) serves them all.
"""

from __future__ import annotations

import gc


def tune_collector(collect_every: int) -> None:
    """Freeze what exists now (what lives for the whole run: modules, loaded reference data) and
    collect the youngest generation every `collect_every` allocations instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(collect_every, *gc.get_threshold()[1:])
