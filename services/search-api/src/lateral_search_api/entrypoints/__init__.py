"""Search-api entry points: JSON API, HTML pages and the command line."""
