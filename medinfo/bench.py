"""`make bench`: what each reader page type serves, cached and uncached, next to Django's ceiling.

For each data set (the demo; 10,000 drugs and 100,000 articles, built once and kept) this
starts two production servers as `make run` does (medinfo/gunicorn_conf.py, 2 sync workers,
DEBUG off, whitenoise), one with the full-page cache and one without (MEDINFO_PAGE_CACHE=0),
and drives one URL at a time with wrk at 32 connections: every reader page type, the article
page asked again with the ETag it gave (If-None-Match), and a constant ~18 KB page through
the same middleware (medinfo/bench_views.py). On the demo, a Wagtail 8.0.1 site serving the
same article at the same path (medinfo/bench_wagtail.py, benchmarks/wagtail/, its own
virtualenv) is one more row, so "÷ Wagtail" compares two servers measured side by side; when
it cannot be built (no network) the bench says so and measures the rest. Rounds of a few
seconds alternate between pages and servers, and each figure is the median of the rounds,
so a noisy moment on this shared machine moves one round, not a row. It prints one table,
the issue's goals, the git commit and the machine; it asserts nothing about speed (the test
suite never times anything), but a row whose answers were not all the expected status is
marked and makes the exit status 1.

    python -m medinfo.bench [--datasets demo,100k] [--seconds 5] [--rounds 3] [--no-wagtail]

Everything runs on 127.0.0.1, on the embedded PostgreSQL under .data/ (MEDINFO_EMBEDDED_DIR),
in databases of its own: medinfo_bench_demo and medinfo_bench (shared with `make bench-search`),
and medinfo_bench_wagtail for Wagtail.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from medinfo import bench_wagtail
from medinfo.embedded_db import database_url
from medinfo.load_report import LoadResult
from medinfo.loadtest import fetch, free_port, wait_until

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONF = Path(__file__).resolve().with_name("gunicorn_conf.py")
CONNECTIONS = 32
WORKERS = 2
CONSTANT_PATH = "/_bench/constant"
WAGTAIL = bench_wagtail.LABEL
# The targets, printed beside the figures (the suite never times anything).
GOAL_CACHED = 0.85  # a cached article page against the constant Django page
GOAL_UNCACHED = 1.5  # an uncached article page against Wagtail's default page


@dataclass(frozen=True)
class Dataset:
    name: str
    database: str
    build: tuple[tuple[str, ...], ...]  # the manage.py commands that fill it, idempotent


GENERATE = ("generate_content", "--drugs", "10000", "--articles", "100000", "--seed", "1")
DATASETS = {
    "demo": Dataset("demo", "medinfo_bench_demo", (("seed_demo",),)),
    # The synthetic content has no site pages (terms, privacy, ...): the demo brings them.
    "100k": Dataset("100k", "medinfo_bench", ((*GENERATE, "--if-missing"), ("seed_demo",))),
}

# wrk runs one Lua state per thread; done() adds up their status counts. The lines it prints
# are the ones medinfo/load_report.py's LoadResult.parse reads.
WRK_SCRIPT = """
local threads = {}
counts = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local e = summary.errors
  print("loadtest requests " .. summary.requests)
  print("loadtest duration " .. summary.duration)
  print("loadtest errors " .. (e.connect + e.read + e.write + e.timeout))
  print("loadtest p50 " .. latency:percentile(50))
  print("loadtest p99 " .. latency:percentile(99))
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      print("loadtest status " .. status .. " " .. n)
    end
  end
end
"""


@dataclass(frozen=True)
class Target:
    """One row: a page type, its path, the status every answer must have, extra headers."""

    label: str
    path: str
    status: int = 200
    conditional: bool = False  # sent with If-None-Match: the ETag the page itself gave


def targets(paths: dict[str, str]) -> list[Target]:
    rows = [Target(label, path, 404 if label == "404" else 200) for label, path in paths.items()]
    rows.append(Target("article, If-None-Match", paths["article"], 304, conditional=True))
    rows.append(Target("constant (Django)", CONSTANT_PATH))
    return rows


def print_paths() -> None:
    """Run in a subprocess against one data set: a real URL for each reader page type."""
    import django

    django.setup()
    from articles.models import PublishedArticle, PublishedSitePage
    from drugs.models import PublishedCondition, PublishedDrug

    def first(model, **filters):
        found = model.objects.visible().filter(**filters).order_by("pk").first()
        if found is None:
            raise SystemExit(f"no published {model.__name__} to benchmark")
        return found

    drug = first(PublishedDrug)
    pages = PublishedSitePage.objects.visible()
    page = pages.filter(slug="terms").first() or first(PublishedSitePage)
    paths = {
        "home": "/",
        "A–Z": "/drugs/",
        "hub": drug.get_absolute_url(),
        "article": first(PublishedArticle).get_absolute_url(),
        "condition": first(PublishedCondition).get_absolute_url(),
        "site page": page.get_absolute_url(),
        "search": "/search/?q=" + drug.name.split()[0].lower(),
        "feed": "/feeds/articles/",
        "sitemap": "/sitemap.xml",
        "404": "/no-such-page/",
    }
    print(json.dumps(paths))


def server_env(dataset: Dataset, page_cache: bool) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "MEDINFO_", "DATABASE_", "REDIS_", "WEB_"))
    }
    embedded_dir = os.environ.get("MEDINFO_EMBEDDED_DIR", "").strip()
    return inherited | {
        "DJANGO_SETTINGS_MODULE": "medinfo.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-not-a-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOCAL_HTTP": "1",
        "DATABASE_URL": "",
        "MEDINFO_EMBEDDED_DIR": embedded_dir or str(BASE_DIR / ".data" / "postgres"),
        "MEDINFO_DB_NAME": dataset.database,
        "MEDINFO_PAGE_CACHE": "1" if page_cache else "0",
        "MEDINFO_BENCH": "1",
        "MEDINFO_ACCESS_LOG": "0",
        "WEB_CONCURRENCY": str(WORKERS),
    }


def manage(env: dict[str, str], *args: str) -> None:
    print(f"  manage.py {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def prepare(dataset: Dataset) -> dict[str, str]:
    """Migrate and fill the data set's database if needed; the paths to measure there."""
    env = server_env(dataset, page_cache=False)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    for command in dataset.build:
        manage(env, *command)
    code = "from medinfo.bench import print_paths; print_paths()"
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.PIPE
    )
    return json.loads(found.stdout)


class Server:
    """One gunicorn under medinfo/gunicorn_conf.py, in its own process group, stopped by its PID.

    The same configuration serves medinfo (as `make run` does) and the Wagtail baseline, each
    from its own virtualenv's Python, so the two differ only in the site they run.
    """

    def __init__(self, name: str, python, site: str, cwd: Path, env: dict, ready: str, log_dir):
        self.port = free_port()
        self.command = [str(python), "-m", "gunicorn", "-c", str(GUNICORN_CONF), site]
        self.cwd = cwd
        self.env = env | {"MEDINFO_BIND": f"127.0.0.1:{self.port}"}
        self.ready = ready  # a path that answers 200 once the workers serve
        self.log = log_dir / f"gunicorn-{name}.log"
        self.process = None

    @classmethod
    def medinfo(cls, dataset: Dataset, page_cache: bool, log_dir: Path) -> "Server":
        name = f"{dataset.name}-{'cached' if page_cache else 'uncached'}"
        env = server_env(dataset, page_cache)
        return cls(name, sys.executable, "medinfo.wsgi", BASE_DIR, env, "/robots.txt", log_dir)

    @classmethod
    def wagtail(cls, baseline: bench_wagtail.Baseline, log_dir: Path) -> "Server":
        python, env, ready = baseline.python, baseline.env, baseline.path
        return cls("wagtail", python, "wagtailsite.wsgi", baseline.cwd, env, ready, log_dir)

    def __enter__(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:
            wait_until(lambda: fetch(self.port, self.ready, 1).status == 200, 60, self.process)
        except BaseException:
            self.__exit__()
            print(self.log.read_text()[-3000:], file=sys.stderr)  # why it did not start
            raise
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def page_bytes(self, path: str) -> int:
        return len(fetch(self.port, path).body.encode())


def etag_of(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.getheader("ETag") or ""
    finally:
        connection.close()


def wrk(port: int, target: Target, seconds: float, script: Path) -> LoadResult:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-T5s", "-s", str(script)]
    if target.conditional:
        command += ["-H", f"If-None-Match: {etag_of(port, target.path)}"]
    command.append(f"http://127.0.0.1:{port}{target.path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return LoadResult.parse(output)


@dataclass
class Figures:
    """The rounds of one target on one server, and their medians."""

    rounds: list[LoadResult] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(r.requests / r.seconds for r in self.rounds if r.seconds)

    @property
    def p50(self) -> float:
        return statistics.median(r.p50 for r in self.rounds)

    @property
    def p99(self) -> float:
        return statistics.median(r.p99 for r in self.rounds)

    def problems(self, status: int) -> list[str]:
        found = []
        for r in self.rounds:
            if r.errors or set(r.statuses) - {status}:
                found.append(f"{r.errors} socket errors/timeouts, statuses {r.statuses}")
        return found


def measure(
    dataset: Dataset,
    rows: list[Target],
    seconds: float,
    rounds: int,
    log_dir: Path,
    baseline: bench_wagtail.Baseline | None = None,
):
    """{(target, "cached"|"uncached"): Figures} for one data set, rounds interleaved.

    With the Wagtail baseline (given for the demo, whose article it copies) its page is one
    more row, measured right after our article in every round, so the two see the same
    moments of this shared machine. Wagtail has no page cache: its figures stand with the
    uncached ones.
    """
    script = log_dir / "count.lua"
    script.write_text(WRK_SCRIPT)
    results = {}
    with contextlib.ExitStack() as stack:
        cached = stack.enter_context(Server.medinfo(dataset, True, log_dir))
        uncached = stack.enter_context(Server.medinfo(dataset, False, log_dir))
        jobs = []  # (target, mode, server) in the order of one round
        for target in rows:
            jobs += [(target, "cached", cached), (target, "uncached", uncached)]
        if baseline and (wagtail := start_wagtail(stack, baseline, log_dir)):
            article = next(n for n, job in enumerate(jobs) if job[0].label == "article")
            jobs.insert(article + 2, (Target(WAGTAIL, baseline.path), "uncached", wagtail))
            baseline.page_bytes = {
                "medinfo": uncached.page_bytes(baseline.path),
                "Wagtail": wagtail.page_bytes(baseline.path),
            }
        print(f"{dataset.name}: warming up", flush=True)
        for target, _, server in jobs:
            wrk(server.port, target, 1, script)
        for number in range(1, rounds + 1):
            print(f"{dataset.name}: round {number} of {rounds}", flush=True)
            for target, mode, server in jobs:
                figures = results.setdefault((target, mode), Figures())
                figures.rounds.append(wrk(server.port, target, seconds, script))
    return results


def start_wagtail(stack: contextlib.ExitStack, baseline, log_dir: Path) -> "Server | None":
    """Wagtail's gunicorn, or None, said aloud, if it does not start: ours are measured anyway."""
    try:
        return stack.enter_context(Server.wagtail(baseline, log_dir))
    except (RuntimeError, TimeoutError, OSError) as error:
        print(f"Wagtail baseline missing: its server did not start ({error})", flush=True)
        return None


def table(results: dict[str, dict]) -> tuple[str, list[str]]:
    """The Markdown table, and the rows whose answers were not all the expected status.

    "÷ constant" is against the constant page on the same server (Wagtail's row against our
    uncached server's); "÷ Wagtail", given for our article only, against Wagtail's page.
    """
    lines = [
        "| data | page | path | cached req/s | p50 ms | p99 ms | ÷ constant | ÷ Wagtail "
        "| uncached req/s | p50 ms | p99 ms | ÷ constant | ÷ Wagtail |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    problems = []
    for name, figures in results.items():
        by_target = {}
        for (target, mode), fig in figures.items():
            by_target.setdefault(target, {})[mode] = fig
        constant = next(t for t in by_target if t.path == CONSTANT_PATH)
        wagtail = next((t for t in by_target if t.label == WAGTAIL), None)
        for target, modes in by_target.items():
            cells = []
            for mode in ("cached", "uncached"):
                fig = modes.get(mode)
                if fig is None:
                    cells += ["—"] * 5
                    continue
                mark = ""
                if found := fig.problems(target.status):
                    mark = " (!)"
                    problems += [f"{name} {target.label} {mode}: {p}" for p in found]
                over_wagtail = ""
                if wagtail and target.label in ("article", WAGTAIL):
                    over_wagtail = f"{fig.rate / by_target[wagtail]['uncached'].rate:.2f}"
                cells += [
                    f"{fig.rate:,.0f}{mark}",
                    f"{fig.p50:.1f}",
                    f"{fig.p99:.1f}",
                    f"{fig.rate / by_target[constant][mode].rate:.2f}",
                    over_wagtail,
                ]
            lines.append(
                f"| {name} | {target.label} | `{target.path}` | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines), problems


def goals(results: dict[str, dict]) -> list[str]:
    """The issue's two targets, one line per data set: read, never asserted."""
    lines = []
    for name, figures in results.items():
        rate = {(t.label, mode): fig.rate for (t, mode), fig in figures.items()}
        cached = rate[("article", "cached")] / rate[("constant (Django)", "cached")]
        line = f"{name}: cached article ÷ constant {cached:.2f} (goal ≥ {GOAL_CACHED:g})"
        if (WAGTAIL, "uncached") in rate:
            uncached = rate[("article", "uncached")] / rate[(WAGTAIL, "uncached")]
            line += f"; uncached article ÷ Wagtail page {uncached:.2f} (goal ≥ {GOAL_UNCACHED:g})"
        lines.append(line)
    return lines


def demo_only(dataset: Dataset, baseline):
    return baseline if dataset.name == "demo" else None


def baseline_line(baseline: bench_wagtail.Baseline | None, missing: str) -> str:
    if baseline is None or not baseline.page_bytes:
        return f"Wagtail baseline missing: {missing}."
    sizes = baseline.page_bytes
    return (
        f"Wagtail baseline: {baseline.versions}, Wagtail's default apps and middleware "
        f"(benchmarks/wagtail, own virtualenv), same gunicorn settings; the demo article's "
        f"text at `{baseline.path}`, {sizes['Wagtail']:,} bytes (ours {sizes['medinfo']:,})."
    )


def machine() -> str:
    def out(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, cwd=BASE_DIR).stdout
        except OSError:
            return ""

    commit = out("git", "rev-parse", "--short", "HEAD").strip() or "unknown"
    if out("git", "status", "--porcelain", "--untracked-files=no").strip():
        commit += " + uncommitted changes"
    cpu = next(
        (line.split(":", 1)[1].strip() for line in out("cat", "/proc/cpuinfo").splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )  # fmt: skip
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    wrk_version = out("wrk", "-v").split(" [")[0].strip() or "wrk"
    import django
    import gunicorn

    return (
        f"commit {commit}; {len(os.sched_getaffinity(0))} cores ({cpu}), {memory:.0f} GB; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__} ({WORKERS} sync workers), embedded PostgreSQL; "
        f"{wrk_version}, {CONNECTIONS} connections, load average {os.getloadavg()[0]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="demo,100k", help="comma-separated: demo, 100k")
    parser.add_argument("--seconds", type=float, default=5, help="length of one wrk round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per page and server")
    parser.add_argument(
        "--no-wagtail", action="store_true", help="leave out the Wagtail baseline (demo only)"
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    chosen = [DATASETS[name.strip()] for name in args.datasets.split(",") if name.strip()]
    env = server_env(chosen[0], page_cache=False)
    for dataset in chosen:  # held by this process, so the server stays up between steps
        database_url(Path(env["MEDINFO_EMBEDDED_DIR"]), dataset.database)
    started = time.monotonic()
    rows = {}
    for dataset in chosen:  # all of them first: a data set that cannot be built fails early
        print(f"{dataset.name}: preparing {dataset.database}", flush=True)
        rows[dataset] = targets(prepare(dataset))
    baseline, missing = None, "left out (--no-wagtail)" if args.no_wagtail else "demo not run"
    if DATASETS["demo"] in chosen and not args.no_wagtail:
        print("wagtail: preparing the baseline beside the demo", flush=True)
        article = next(t.path for t in rows[DATASETS["demo"]] if t.label == "article")
        demo_env = server_env(DATASETS["demo"], page_cache=False)
        try:
            baseline = bench_wagtail.prepare(article, demo_env, Path(env["MEDINFO_EMBEDDED_DIR"]))
            missing = "its server did not start"
        except bench_wagtail.BaselineMissing as error:
            missing = str(error)
            print(f"Wagtail baseline missing: {missing}", flush=True)
    with tempfile.TemporaryDirectory(prefix="medinfo-bench-") as log_dir:
        results = {
            d.name: measure(
                d, rows[d], args.seconds, args.rounds, Path(log_dir), demo_only(d, baseline)
            )
            for d in chosen
        }
    text, problems = table(results)
    print()
    print(baseline_line(baseline, missing))
    print()
    print(text)
    print()
    print("\n".join(goals(results)))
    print()
    print(f"{machine()}; {args.rounds} rounds of {args.seconds:g} s, medians; "
          f"{time.monotonic() - started:.0f} s in all.")  # fmt: skip
    for problem in problems:
        print(f"UNEXPECTED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
