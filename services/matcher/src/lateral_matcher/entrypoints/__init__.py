"""How the matcher is started: the `lateral-matcher` command."""
