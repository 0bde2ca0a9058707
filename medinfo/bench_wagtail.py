"""The Wagtail baseline of `make bench`: Wagtail's default page, holding our article's text.

The issue's goal is stated against Wagtail ("an uncached article at least 1.5 times Wagtail's
default page"), so the bench measures Wagtail in the same run, on the same machine, with the
same gunicorn settings, rather than quoting a figure from elsewhere. Wagtail is never a
dependency of medinfo: the site (benchmarks/wagtail/) is installed into a virtualenv of its
own, .data/bench/wagtail-venv, once, from the pinned benchmarks/wagtail/requirements.txt, and
again only when that file changes. Its database, medinfo_bench_wagtail, lives on the embedded
server the bench already holds; every run copies the measured demo article and the other
articles about its drug into it, so both sites serve the same text at the same path.

Without a network the virtualenv cannot be built: `prepare` then raises BaselineMissing, and
the bench says so and measures the rest.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from medinfo.embedded_db import database_url

BASE_DIR = Path(__file__).resolve().parent.parent
SITE_DIR = BASE_DIR / "benchmarks" / "wagtail"
REQUIREMENTS = SITE_DIR / "requirements.txt"
VENV = BASE_DIR / ".data" / "bench" / "wagtail-venv"
DATA_DIR = BASE_DIR / ".data" / "bench" / "wagtail"  # collected static files
DATABASE = "medinfo_bench_wagtail"
LABEL = "Wagtail page"


class BaselineMissing(Exception):
    """Why Wagtail cannot be measured in this run (no network, a failed install or migration)."""


@dataclass
class Baseline:
    """A prepared Wagtail site: how to start its gunicorn, and the path that serves the article."""

    python: Path
    env: dict[str, str]
    path: str
    versions: str  # "Wagtail 8.0.1, Django 6.1.3"
    page_bytes: dict[str, int] = field(default_factory=dict)  # filled by the bench once served

    @property
    def cwd(self) -> Path:
        return SITE_DIR


def print_export(path: str) -> None:
    """Run in a medinfo subprocess on the demo: the article at `path` and its drug's others.

    The Wagtail page tree repeats the URL's folders ("drugs", the drug's slug) as plain pages,
    so Wagtail routes the same path through the same depth of tree.
    """
    import django

    django.setup()
    from django.urls import resolve

    from articles.models import PublishedArticle

    article = PublishedArticle.objects.visible().get(slug=resolve(path).kwargs["slug"])
    others = PublishedArticle.objects.visible().filter(drug=article.drug).exclude(pk=article.pk)
    folders = path.strip("/").split("/")[:-1]
    sections = [{"slug": slug, "title": slug.replace("-", " ").title()} for slug in folders]
    if article.hub is not None:
        sections[-1]["title"] = article.hub.name
    articles = [
        {"slug": a.slug, "title": a.title, "lead": a.lead, "body_html": a.body_html}
        for a in [article, *others.in_series_order()]
    ]
    print(json.dumps({"path": path, "sections": sections, "articles": articles}))


def build_venv() -> Path:
    """The virtualenv's Python, installed from the requirements once and when they change."""
    python = VENV / "bin" / "python"
    stamp = VENV / "installed-requirements.txt"
    wanted = REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"wagtail: installing {REQUIREMENTS.relative_to(BASE_DIR)} into {VENV}", flush=True)
    stamp.unlink(missing_ok=True)
    _run([sys.executable, "-m", "venv", "--clear", str(VENV)])
    # Few retries: without a network pip would otherwise retry for minutes before failing.
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--retries", "1"]
    _run([*pip, "install", "--quiet", "--timeout", "20", "-r", str(REQUIREMENTS)])
    stamp.write_text(wanted)
    return python


def prepare(path: str, medinfo_env: dict[str, str], embedded_dir: Path) -> Baseline:
    """Build the virtualenv if needed, then migrate Wagtail's database and fill it anew."""
    python = build_venv()
    code = "import django, wagtail; print(wagtail.__version__, django.get_version())"
    versions = _run([str(python), "-c", code]).split()
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "MEDINFO_", "DATABASE_", "WEB_", "WAGTAIL_"))
    }
    env = inherited | {
        "DJANGO_SETTINGS_MODULE": "wagtailsite.settings",
        "DJANGO_SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 40,
        "DATABASE_URL": database_url(embedded_dir, DATABASE),  # held open by the bench
        "WAGTAIL_BENCH_DATA": str(DATA_DIR),
        # Read by medinfo/gunicorn_conf.py, which serves both sites alike.
        "WEB_CONCURRENCY": medinfo_env["WEB_CONCURRENCY"],
        "MEDINFO_ACCESS_LOG": "0",
    }
    code = f"from medinfo.bench_wagtail import print_export; print_export({path!r})"
    export = _run([sys.executable, "-c", code], cwd=BASE_DIR, env=medinfo_env)
    for args in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        print(f"  wagtail manage.py {' '.join(args)}", flush=True)
        _run([str(python), "manage.py", *args, "--verbosity", "0"], env=env)
    print("  wagtail manage.py seed_article", flush=True)
    _run([str(python), "manage.py", "seed_article"], env=env, stdin=export)
    return Baseline(python, env, path, f"Wagtail {versions[0]}, Django {versions[1]}")


def _run(command, cwd: Path = SITE_DIR, env=None, stdin: str | None = None) -> str:
    """A step's output; its error output, shortened, in BaselineMissing when it fails."""
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        detail = (getattr(error, "stderr", "") or str(error)).strip().splitlines() or ["?"]
        step = " ".join(str(part) for part in command[1:3])
        raise BaselineMissing(f"{Path(command[0]).name} {step} failed: {detail[-1]}") from None
    return done.stdout
