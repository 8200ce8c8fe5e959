"""Pure audit logic: the hash chain."""
