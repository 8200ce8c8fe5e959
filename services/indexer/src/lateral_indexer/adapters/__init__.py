"""The indexer has no adapters of its own: it writes through `lateral_shared.index`."""
