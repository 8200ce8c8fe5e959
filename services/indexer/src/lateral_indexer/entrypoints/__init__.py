"""How the indexer is started: the `lateral-indexer` command."""
