"""Pure matching logic: the linking rules and how residents of an address are summarised."""
