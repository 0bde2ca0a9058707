"""What a load-and-faults run measured (medinfo/loadtest.py), and the targets it must meet.

wrk's counts for each phase, every answer the probe got with its timing, and the moments
each fault began and ended; from these the outage pages, the recovery times and, in
words, every target missed.
"""

from dataclasses import dataclass, field

# Every reader page type (the demo content has these pages) and what each should answer.
PAGES = {
    "/": 200,
    "/drugs/": 200,
    "/drugs/?letter=b": 200,
    "/drugs/baclofen/": 200,
    "/drugs/baclofen/what-is-baclofen/": 200,
    "/conditions/": 200,
    "/conditions/cerebral-palsy/": 200,
    "/terms/": 200,
    "/search/?q=baclofen": 200,
    "/feeds/articles/": 200,
    "/sitemap.xml": 200,
    "/robots.txt": 200,
    "/no-such-page/": 404,
    "/healthz": 200,
}
NEEDS_NO_DATABASE = {"/robots.txt"}
ANSWER_WITHIN = 5.0  # seconds, also wrk's timeout: a slower answer, even a 503, is a hung worker
RECOVER_WITHIN = 5.0  # seconds after PostgreSQL is back


@dataclass(frozen=True)
class Timing:
    steady: int  # seconds of steady load
    fault_phase: int  # seconds of load around each fault
    fault_at: float  # seconds into that phase
    down_for: float


@dataclass
class LoadResult:
    """What wrk saw: socket errors and timeouts, every status code, latencies in ms."""

    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50: float = 0.0
    p99: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    cache_down: int = 0  # /healthz answers that said the cache was down

    def count(self, accept) -> int:
        return sum(n for status, n in self.statuses.items() if accept(status))

    @property
    def server_errors(self) -> int:
        return self.count(lambda status: status >= 500)

    @classmethod
    def parse(cls, output: str) -> "LoadResult":
        """The `loadtest ...` lines that the Lua script's done() prints."""
        result = cls()
        for line in output.splitlines():
            match line.split():
                case ["loadtest", "status", status, n]:
                    result.statuses[int(status)] = result.statuses.get(int(status), 0) + int(n)
                case ["loadtest", "cache_down", n]:
                    result.cache_down += int(n)
                case ["loadtest", "duration", microseconds]:
                    result.seconds = int(microseconds) / 1e6
                case ["loadtest", ("p50" | "p99") as name, microseconds]:
                    setattr(result, name, float(microseconds) / 1000)
                case ["loadtest", name, value]:
                    setattr(result, name, int(value))
        return result


@dataclass(frozen=True)
class Answer:
    path: str
    status: int  # 0: no answer (refused, reset, timed out)
    started: float
    finished: float
    body: str

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def as_usual(self) -> bool:
        return self.status == PAGES[self.path]

    @property
    def cache_down(self) -> bool:
        return self.path == "/healthz" and '"cache": "down"' in self.body


def is_outage_page(answer: Answer) -> bool:
    """The 503 page with the site's footer and disclaimer, or the health check's 503."""
    if answer.path == "/healthz":
        return answer.status == 503 and '"database": "down"' in answer.body
    # The footer's disclaimer when the database is down: SiteSettings' default text.
    marks = ("<h1>Temporarily unavailable</h1>", "<footer", "does not provide medical advice")
    return answer.status == 503 and all(mark in answer.body for mark in marks)


@dataclass
class FaultResult:
    """One phase with a fault: the load, the probe's answers, when it went and came back."""

    load: LoadResult
    answers: list[Answer]
    down_at: float  # the server had stopped
    restart_at: float  # starting it again began
    back_at: float  # it answered again

    @property
    def outage(self) -> float:
        return self.restart_at - self.down_at

    def during_outage(self) -> list[Answer]:
        return [a for a in self.answers if self.down_at <= a.started < a.finished < self.restart_at]

    def recovery(self, healthy) -> tuple[float | None, float | None]:
        """Seconds from the server's return to the first healthy answer, and to the last sick."""
        after = [(a.finished - self.back_at, healthy(a)) for a in self.answers]
        after = [(seconds, ok) for seconds, ok in after if seconds >= 0]
        if not any(ok for _, ok in after):
            return None, None
        first = min(seconds for seconds, ok in after if ok)
        return first, max([first] + [seconds for seconds, ok in after if not ok])

    @property
    def slowest(self) -> float:
        return max((a.seconds for a in self.answers), default=0.0)


@dataclass
class Report:
    setup: str  # the servers and the load, in words
    timing: Timing
    steady: LoadResult
    postgres: FaultResult
    redis: FaultResult
    workers_replaced: bool  # gunicorn had to replace a worker (crashed, or killed as hung)
    machine_load: tuple[float, float]  # 1-minute load average at the start and at the end

    def postgres_outage(self) -> list[Answer]:
        return [a for a in self.postgres.during_outage() if a.path not in NEEDS_NO_DATABASE]

    def postgres_recovery(self) -> tuple[float | None, float | None]:
        return self.postgres.recovery(lambda a: a.as_usual)

    def redis_recovery(self) -> tuple[float | None, float | None]:
        return self.redis.recovery(lambda a: a.as_usual and not a.cache_down)

    def problems(self) -> list[str]:
        """Every target missed, in words; empty when the run met them all."""
        found, steady, postgres, redis = [], self.steady, self.postgres.load, self.redis.load
        if not steady.requests or steady.errors or steady.count(lambda s: s not in {200, 404}):
            found.append(f"steady load: errors or statuses other than 200 and 404: {steady}")
        outage = self.postgres_outage()
        if not outage or not all(is_outage_page(answer) for answer in outage):
            found.append("PostgreSQL down: not every page was the 503 page with the disclaimer")
        if postgres.errors or postgres.count(lambda status: status >= 500 and status != 503):
            found.append(f"PostgreSQL down: errors, timeouts or 5xx besides 503: {postgres}")
        first, settled = self.postgres_recovery()
        if first is None or settled > RECOVER_WITHIN:
            found.append(f"PostgreSQL back: not every page 200 within {RECOVER_WITHIN} s")
        if redis.errors or redis.server_errors:
            found.append(f"Redis down: socket errors, timeouts or 5xx: {redis}")
        if not all(answer.as_usual for answer in self.redis.answers):
            found.append("Redis down: a page did not answer as usual")
        if not redis.cache_down:
            found.append("Redis down: /healthz never reported the cache down")
        if self.redis_recovery()[0] is None:
            found.append("Redis back: the cache was not used again")
        for name, fault in (("PostgreSQL", self.postgres), ("Redis", self.redis)):
            if fault.slowest > ANSWER_WITHIN:
                found.append(f"{name} fault: an answer took {fault.slowest:.1f} s")
        if self.workers_replaced:
            found.append("gunicorn replaced a worker during the run")
        return found


def summary(report: Report) -> str:
    head = ("phase", "s", "requests", "req/s", "errors", "5xx", "503", "404", "p50 ms", "p99 ms")
    row = "{:<19}{:>4}{:>9}{:>7}{:>7}{:>6}{:>6}{:>6}{:>8}{:>8}"
    start, end = report.machine_load
    lines = [f"{report.setup}; load average {start:.1f} at the start, {end:.1f} at the end"]
    lines.append(row.format(*head))
    phases = [("steady load", report.steady), ("PostgreSQL stopped", report.postgres.load)]
    for name, r in [*phases, ("Redis killed", report.redis.load)]:
        numbers = (r.requests, round(r.requests / r.seconds), r.errors, r.server_errors)
        numbers += (r.statuses.get(503, 0), r.statuses.get(404, 0), round(r.p50), round(r.p99))
        lines.append(row.format(name, round(r.seconds), *numbers))
    outage, redis = report.postgres_outage(), report.redis
    first, settled = report.postgres_recovery()
    cache_first, cache_settled = report.redis_recovery()
    lines += [
        f"PostgreSQL stopped for {report.postgres.outage:.1f} s: {len(outage)} probe answers, "
        f"{sum(map(is_outage_page, outage))} the 503 page with footer and disclaimer (or "
        f"/healthz 503); slowest answer in the phase {report.postgres.slowest:.2f} s",
        f"  back: first 200 after {as_seconds(first)}, every page 200 after {as_seconds(settled)}"
        f"; gunicorn workers replaced: {'yes' if report.workers_replaced else 'none'}",
        f"Redis killed for {redis.outage:.1f} s: {len(redis.during_outage())} probe "
        f"answers, {sum(a.as_usual for a in redis.during_outage())} as usual; /healthz said "
        f"'cache down' {redis.load.cache_down} times; slowest answer {redis.slowest:.2f} s",
        f"  back: the cache worked again after {as_seconds(cache_first)}, "
        f"for every probe after {as_seconds(cache_settled)}",
    ]
    return "\n".join(lines)


def as_seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"
