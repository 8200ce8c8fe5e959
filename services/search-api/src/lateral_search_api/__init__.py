"""Lateral search-api: practitioners search across agencies, every search audited first."""
