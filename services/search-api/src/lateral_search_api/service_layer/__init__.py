"""Search-api use cases: accounts, sign-in, audited search and person views."""
