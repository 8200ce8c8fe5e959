"""Store helpers: async SQLAlchemy engines for SQLite and PostgreSQL, and per-service migrations."""

from .engine import create_engine, ping, session_factory
from .migrations import migrate, run_env

__all__ = ["create_engine", "migrate", "ping", "run_env", "session_factory"]
