"""The cleanser: normalises and checks partner records (`records.raw` → `records.clean`)."""
