"""`make bench`'s parts that can be checked without timing anything (medinfo/bench.py).

The figures themselves are never asserted: the suite runs on a shared machine. What is
checked: the paths it picks are real reader pages with the status it expects, the constant
page exists only for the benchmark, the table reads wrk's counts and flags a row whose
answers were not all the expected status, and the Wagtail baseline gets our article's text
and stays out of medinfo's own environment (medinfo/bench_wagtail.py).
"""

import importlib.util
import json
import sys

import pytest
from django.urls import Resolver404, resolve

from interchange.demo import seed_demo
from medinfo import bench, bench_views, bench_wagtail
from medinfo.load_report import LoadResult
from tests.test_settings import UNUSED_DATABASE_URL, run


@pytest.mark.django_db
def test_every_picked_path_is_a_reader_page_with_the_expected_status(client, capsys):
    seed_demo()
    bench.print_paths()
    paths = json.loads(capsys.readouterr().out)
    assert set(paths) == {
        "home", "A–Z", "hub", "article", "condition", "site page", "search", "feed",
        "sitemap", "404",
    }  # fmt: skip
    for target in bench.targets(paths):
        if target.path == bench.CONSTANT_PATH:
            continue
        headers = {}
        if target.conditional:
            headers["If-None-Match"] = client.get(target.path).headers["ETag"]
        assert client.get(target.path, headers=headers).status_code == target.status, target


def test_the_constant_page_is_routed_only_for_the_benchmark(client):
    with pytest.raises(Resolver404):
        resolve(bench.CONSTANT_PATH)
    code = (
        "import django; django.setup(); from django.urls import resolve; "
        f"print(resolve({bench.CONSTANT_PATH!r}).url_name)"
    )
    result = run(
        ["-c", code],
        DJANGO_SETTINGS_MODULE="medinfo.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL=UNUSED_DATABASE_URL,
        MEDINFO_BENCH="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "bench-constant"


def test_the_constant_page_is_the_size_of_an_article_page_and_never_public():
    response = bench_views.constant(None)
    assert 15_000 <= len(response.content) <= 20_000
    assert "public" not in response.get("Cache-Control", "")  # the page cache passes it by


def wrk_lines(requests: int, statuses: dict[int, int], errors: int = 0) -> str:
    lines = [f"loadtest requests {requests}", "loadtest duration 2000000"]
    lines += [f"loadtest errors {errors}", "loadtest p50 1500", "loadtest p99 9000"]
    lines += [f"loadtest status {status} {n}" for status, n in statuses.items()]
    return "\n".join(lines)


def figures_of(rounds: dict) -> dict:
    return {
        key: bench.Figures([LoadResult.parse(wrk_lines(n, s)) for n, s in values])
        for key, values in rounds.items()
    }


def cells_of(text: str, label: str) -> list[str]:
    row = next(line for line in text.splitlines() if f"| {label} |" in line)
    return [cell.strip() for cell in row.split("|")[1:-1]]


def test_the_table_gives_medians_the_ratio_to_constant_and_flags_unexpected_answers():
    home = bench.Target("home", "/")
    constant = bench.Target("constant (Django)", bench.CONSTANT_PATH)
    figures = figures_of(
        {
            (home, "cached"): [(800, {200: 800}), (1000, {200: 1000}), (900, {200: 899, 500: 1})],
            (home, "uncached"): [(100, {200: 100})] * 3,
            (constant, "cached"): [(2000, {200: 2000})] * 3,
            (constant, "uncached"): [(2000, {200: 2000})] * 3,
        }
    )
    text, problems = bench.table({"demo": figures})
    cells = cells_of(text, "home")
    assert cells[3:8] == ["450 (!)", "1.5", "9.0", "0.45", ""]  # median of 400, 500, 450 req/s
    assert cells[8:] == ["50", "1.5", "9.0", "0.05", ""]
    assert problems == ["demo home cached: 0 socket errors/timeouts, statuses {200: 899, 500: 1}"]


def test_the_article_is_set_against_the_wagtail_page_measured_in_the_same_run():
    article = bench.Target("article", "/drugs/a/b/")
    wagtail = bench.Target(bench.WAGTAIL, "/drugs/a/b/")
    constant = bench.Target("constant (Django)", bench.CONSTANT_PATH)
    figures = figures_of(
        {
            (article, "cached"): [(3000, {200: 3000})],
            (article, "uncached"): [(300, {200: 300})],
            (wagtail, "uncached"): [(200, {200: 200})],
            (constant, "cached"): [(2000, {200: 2000})],
            (constant, "uncached"): [(2000, {200: 2000})],
        }
    )
    text, problems = bench.table({"demo": figures})
    assert cells_of(text, "article")[7] == "15.00" and cells_of(text, "article")[12] == "1.50"
    assert cells_of(text, bench.WAGTAIL)[3:] == ["—"] * 5 + ["100", "1.5", "9.0", "0.10", "1.00"]
    assert problems == []
    assert bench.goals({"demo": figures}) == [
        "demo: cached article ÷ constant 1.50 (goal ≥ 0.85); "
        "uncached article ÷ Wagtail page 1.50 (goal ≥ 1.5)"
    ]
    del figures[(wagtail, "uncached")]
    assert bench.goals({"demo": figures}) == ["demo: cached article ÷ constant 1.50 (goal ≥ 0.85)"]


@pytest.mark.django_db
def test_wagtail_gets_the_measured_article_and_the_others_about_its_drug(capsys):
    seed_demo()
    bench.print_paths()
    path = json.loads(capsys.readouterr().out)["article"]
    bench_wagtail.print_export(path)
    export = json.loads(capsys.readouterr().out)
    assert [s["slug"] for s in export["sections"]] == path.strip("/").split("/")[:-1]
    first = export["articles"][0]
    assert path.endswith(f"/{first['slug']}/") and first["title"] and first["body_html"]
    assert len({a["slug"] for a in export["articles"]}) == len(export["articles"]) > 1


def test_wagtail_is_no_dependency_of_medinfo():
    assert importlib.util.find_spec("wagtail") is None


def test_a_baseline_that_cannot_be_built_is_reported_not_raised():
    with pytest.raises(bench_wagtail.BaselineMissing, match="no network"):
        bench_wagtail._run([sys.executable, "-c", "raise SystemExit('no network')"])
    assert bench.baseline_line(None, "pip failed") == "Wagtail baseline missing: pip failed."
