"""The reference county-center server: the other side of the counter client's sync protocol.

FastAPI + SQLAlchemy; PostgreSQL in production, SQLite for a pilot with no set-up. See
``docs/sync.md`` for the protocol and ``county-center --help`` for the admin commands.
"""

from county_center.protocol import PROTOCOL_VERSION

__all__ = ["PROTOCOL_VERSION"]
