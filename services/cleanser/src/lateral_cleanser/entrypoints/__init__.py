"""How the cleanser is started."""
