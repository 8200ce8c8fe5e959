"""Pure search-api logic: passwords, criteria, person summaries."""
