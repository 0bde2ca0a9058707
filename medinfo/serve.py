"""`make run`: the demo site served the way production serves it, on this machine only.

Production settings (DEBUG off, whitenoise's manifest storage, the site's own error pages)
under gunicorn on 127.0.0.1, whatever a development `.env` in the checkout says: every
step here runs with DJANGO_ENV=production, which makes manage.py's loader skip `.env`,
and gunicorn never reads it. The secret key is generated once into a file of its own
(.data/secret_key, mode 0600, untracked with the rest of .data/) so sessions survive a
restart. DJANGO_LOCAL_HTTP=1 lets the admin login work over plain HTTP on 127.0.0.1
(medinfo/settings.py); real production never sets it.

    python -m medinfo.serve [--port 8000]   migrate, seed_demo, collectstatic, then gunicorn
    python -m medinfo.serve --admin-help    only print how to create an admin login
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONF = Path(__file__).resolve().with_name("gunicorn_conf.py")
SECRET_KEY_FILE = BASE_DIR / ".data" / "secret_key"


def secret_key(path: Path) -> str:
    """The key in `path`, written there first if missing: created 0600, never replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier run (or one starting right now: it writes before closing)
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
    key = path.read_text().strip()
    if len(key) < 50:
        raise SystemExit(f"{path} holds no usable secret key: delete it to make a new one.")
    return key


def production_env(port: int, environ: dict[str, str]) -> dict[str, str]:
    """`environ` with production settings for a server on 127.0.0.1:`port`.

    DATABASE_URL, MEDINFO_DB_NAME and MEDINFO_EMBEDDED_DIR pass through, so `make run`
    serves the database the rest of the checkout uses.
    """
    key_file = Path(environ.get("MEDINFO_SECRET_KEY_FILE", "").strip() or SECRET_KEY_FILE)
    return environ | {
        "DJANGO_SETTINGS_MODULE": "medinfo.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key(key_file),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOCAL_HTTP": "1",
        "MEDINFO_BIND": f"127.0.0.1:{port}",
    }


ADMIN_HELP = """\
  To log into the admin at http://127.0.0.1:{port}/admin/, create a login first
  (in another terminal; DJANGO_DEBUG=1 lets manage.py run without production's
  variables, on the same database):
      DJANGO_DEBUG=1 {manage} createsuperuser
  or without prompts:
      DJANGO_DEBUG=1 DJANGO_SUPERUSER_USERNAME=admin \\
      DJANGO_SUPERUSER_EMAIL=admin@example.com DJANGO_SUPERUSER_PASSWORD='choose-a-password' \\
      {manage} createsuperuser --noinput
  and give editors their roles: DJANGO_DEBUG=1 {manage} setup_roles
  A reviewer's name and credential, as readers see them, are set by an admin on the
  account's page (Users > reviewer profile); without them the reviewer cannot review."""


def admin_help(port: int) -> str:
    """How to create an admin login (`make run` and `make dev` both print it)."""
    python = sys.executable
    if python.startswith(str(BASE_DIR) + os.sep):
        python = os.path.relpath(python, BASE_DIR)
    return ADMIN_HELP.format(port=port, manage=f"{python} manage.py")


def prepare() -> None:
    """The database and static files, in this process: it keeps the embedded server up
    between the steps (and hands it on to gunicorn's master, which is this process)."""
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo")
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--admin-help", action="store_true", help="only print how to create an admin login"
    )
    args = parser.parse_args(argv)
    if args.admin_help:
        print(admin_help(args.port))
        return
    os.chdir(BASE_DIR)
    os.environ.update(production_env(args.port, dict(os.environ)))
    prepare()
    print(
        f"\n  The demo is at http://127.0.0.1:{args.port}/  (production settings; Ctrl-C stops it)"
    )
    print(admin_help(args.port) + "\n", flush=True)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "medinfo.wsgi"]
    os.execv(sys.executable, gunicorn)


if __name__ == "__main__":
    main()
