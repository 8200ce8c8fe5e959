"""Pure alert logic: the rules and the alert model. No I/O."""
