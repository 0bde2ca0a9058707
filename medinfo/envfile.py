"""A development checkout's `.env`, read by `manage.py` and never by a production process.

`make run` writes `.env` with DJANGO_DEBUG=1 so that manage.py commands in a checkout run
in development mode. A tree deployed with that file still in it must not run with DEBUG
on: gunicorn (medinfo.wsgi) never reads it, manage.py skips it when DJANGO_ENV says
"production", and settings refuse DEBUG with a public host name whatever turned it on.
"""

import os
from pathlib import Path


def is_production() -> bool:
    return os.environ.get("DJANGO_ENV", "").strip().lower() == "production"


def load_env_file(path: str | Path) -> None:
    """KEY=VALUE lines for variables not set already: the real environment always wins."""
    if not path or not Path(path).is_file():
        return
    for line in Path(path).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


def load_development_env(base_dir: Path) -> None:
    """manage.py's step: `.env` (or MEDINFO_ENV_FILE, "" for none) unless in production."""
    if not is_production():
        load_env_file(os.environ.get("MEDINFO_ENV_FILE", str(base_dir / ".env")))
