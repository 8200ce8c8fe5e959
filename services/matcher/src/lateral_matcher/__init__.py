"""lateral-matcher: links cleansed records to persons and addresses; publishes `records.linked`."""
