"""lateral-indexer: keeps the search index's person and address documents up to date from
`records.linked`."""
