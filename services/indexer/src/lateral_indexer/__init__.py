"""lateral-indexer: keeps the search index's person documents up to date from `records.linked`."""
