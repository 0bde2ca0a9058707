"""gunicorn's settings for `make run` and `make bench` (gunicorn -c medinfo/gunicorn_conf.py).

Read by gunicorn only, never by Django. The bind address and the worker count come from
the environment that medinfo/serve.py (or medinfo/bench.py) prepares:

MEDINFO_BIND     host:port, 127.0.0.1:8000 by default
WEB_CONCURRENCY  sync workers; by default 2 x usable cores + 1, at most MAX_WORKERS
MEDINFO_ACCESS_LOG  "0": no access log (benchmarks); one line a request on stdout otherwise
"""

import os

MAX_WORKERS = 9


def default_workers() -> int:
    """gunicorn's rule of thumb for sync workers, 2 x cores + 1, capped.

    A sync worker waits on PostgreSQL for part of every request, so about two per core keep
    the cores busy (the +1 covers a worker that is restarting). The cap keeps a big machine
    well inside the embedded server's 100 connections (each worker keeps one open,
    CONN_MAX_AGE) and a demo's memory use modest (each worker is about 80 MB).
    """
    cores = len(os.sched_getaffinity(0))  # the cores this process may use, not the machine's
    return min(2 * cores + 1, MAX_WORKERS)


bind = os.environ.get("MEDINFO_BIND", "").strip() or "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "").strip() or default_workers())
worker_class = "sync"
# Settings, and with them the embedded database, load once in the master before it forks:
# the master then uses the server for the whole run (medinfo/embedded_db.py stops it when
# the last user exits), so a worker replaced mid-run never restarts it, and a broken setting
# stops gunicorn at once instead of making each worker fail in turn.
preload_app = True
timeout = 30
graceful_timeout = 10
accesslog = None if os.environ.get("MEDINFO_ACCESS_LOG", "").strip() == "0" else "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn 27 listens on a control socket at ~/.gunicorn/gunicorn.ctl by default, one path
# for every gunicorn of the user: a second server takes it over and the first to stop
# deletes it. Nothing here uses it.
control_socket_disable = True
