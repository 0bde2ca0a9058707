"""Ranked search over drugs, articles and conditions, on PostgreSQL full-text search.

One query ranks the three kinds together. Vectors are stored generated columns
(models) in the ``english_unaccent`` configuration, so stemming and accent folding are
the same at index and query time. Three choices keep it fast at 100,000 articles:

* Only a capped set of article candidates is ranked: title matches first, then any
  matches, taken from the GIN indexes. Ranking every match of a common word costs
  hundreds of milliseconds; ranking ~2,500 costs a few.
* Brand names expand to their generic inside the query (``ts_rewrite``), so "lioresal"
  finds Baclofen and its articles.
* Snippets (``ts_headline``) are computed for the page's rows only.

Visibility is the ``Article.objects.visible()`` rule itself, compiled into the SQL.
"""

import html
import re
from dataclasses import dataclass, field

import nh3
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from medinfo.models import SEARCH_CONFIG

MAX_QUERY_CHARS = 200
PER_PAGE = 20
MAX_PAGES = 50
TITLE_CANDIDATES = 500
ARTICLE_CANDIDATES = 1000
HUB_BOOST = 1.5  # a drug's or condition's own page is the best answer to its name
SUGGEST_BELOW = 3  # offer "Did you mean" when fewer results than this
SUGGEST_SIMILARITY = 0.35
_START, _STOP = "\x02", "\x03"  # snippet highlight markers, escaped-then-replaced
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def html_to_text(value: str) -> str:
    """The readable text of stored HTML, for search vectors and snippets."""
    if not value:
        return ""
    return " ".join(html.unescape(nh3.clean(value, tags=set())).split())


def clean_query(raw: str) -> str:
    """Trim and cap; control characters (tabs, NUL, bidi overrides) become spaces."""
    text = "".join(ch if ch.isprintable() else " " for ch in raw[:MAX_QUERY_CHARS])
    return " ".join(text.split())


@dataclass
class Hit:
    kind: str  # "drug", "article" or "condition"
    obj: object
    rank: float
    snippet: SafeString = mark_safe("")


@dataclass
class SearchResults:
    query: str
    page: int = 1
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more matches exist than were ranked
    suggestion: str = ""

    @property
    def pages(self) -> int:
        return min(MAX_PAGES, max(1, -(-self.total // PER_PAGE)))

    @property
    def start(self) -> int:
        return (self.page - 1) * PER_PAGE + 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(raw_query: str, page: int = 1) -> SearchResults:
    query = clean_query(raw_query)
    page = min(max(1, page), MAX_PAGES)
    results = SearchResults(query=query, page=page)
    words = [w.lower() for w in _WORD.findall(query)][:12]
    if not words:
        return results
    tsquery_sql, tsquery_params = _tsquery(query, _brand_expansions(words))
    rows = _ranked(tsquery_sql, tsquery_params, offset=(page - 1) * PER_PAGE)
    if rows:
        results.total = rows[0][3]
        # Title matches are body matches too, so this many articles means the cap was hit.
        results.capped = rows[0][4] >= ARTICLE_CANDIDATES
        results.hits = _load_hits(rows, tsquery_sql, tsquery_params)
    if results.total < SUGGEST_BELOW:
        results.suggestion = _suggest(query, words)
    return results


def rank_articles(queryset, raw_query: str):
    """Filter and rank any article queryset (drafts included) the way reader search ranks.

    It searches the working text (``edit_vector``) with the same weights and query, so
    editors in the admin find what readers would find, and their drafts too.
    """
    from django.db.models import BooleanField, FloatField
    from django.db.models.expressions import RawSQL

    query = clean_query(raw_query)
    words = [w.lower() for w in _WORD.findall(query)][:12]
    if not words:
        return queryset.none()
    tsquery_sql, params = _tsquery(query, _brand_expansions(words))
    table = queryset.model._meta.db_table
    return queryset.filter(
        RawSQL(f'"{table}"."edit_vector" @@ {tsquery_sql}', params, BooleanField())
    ).annotate(
        search_rank=RawSQL(f'ts_rank("{table}"."edit_vector", {tsquery_sql})', params, FloatField())
    )


def _brand_expansions(words: list[str]) -> list[tuple[str, str]]:
    """(brand, generic) for brand names the query mentions, one or two words long."""
    phrases = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT lower(b.name), d.name FROM drugs_brandname b "
            "JOIN drugs_drug d ON d.id = b.drug_id WHERE lower(b.name) = ANY(%s) LIMIT 10",
            [list(phrases)],
        )
        return cursor.fetchall()


def _tsquery(query: str, expansions: list[tuple[str, str]]) -> tuple[str, list]:
    sql, params = "websearch_to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, query]
    for brand, generic in expansions:
        sql = (
            f"ts_rewrite({sql}, plainto_tsquery(%s::regconfig, %s), "
            "plainto_tsquery(%s::regconfig, %s) || plainto_tsquery(%s::regconfig, %s))"
        )
        params += [SEARCH_CONFIG, brand, SEARCH_CONFIG, brand, SEARCH_CONFIG, generic]
    return sql, params


def _visible_articles_sql() -> tuple[str, list]:
    from articles.models import Article

    queryset = Article.objects.visible()
    compiler = queryset.query.get_compiler(connection=connection)
    where, params = queryset.query.where.as_sql(compiler, connection)
    return where, list(params)


def _ranked(tsquery_sql: str, tsquery_params: list, offset: int) -> list[tuple]:
    visible, visible_params = _visible_articles_sql()
    sql = f"""
        WITH query AS (SELECT {tsquery_sql} AS q),
        candidates AS (
            (SELECT id FROM articles_article, query
              WHERE title_vector @@ q AND {visible} LIMIT {TITLE_CANDIDATES})
            UNION
            (SELECT id FROM articles_article, query
              WHERE search_vector @@ q AND {visible} LIMIT {ARTICLE_CANDIDATES})
        ),
        hits AS (
            SELECT 'article' AS kind, a.id, ts_rank(a.search_vector, q) AS rank
              FROM articles_article a JOIN candidates USING (id), query
            UNION ALL
            SELECT 'drug', d.id, ts_rank(d.search_vector, q) * {HUB_BOOST}
              FROM drugs_drug d, query WHERE d.search_vector @@ q
            UNION ALL
            SELECT 'condition', c.id, ts_rank(c.search_vector, q) * {HUB_BOOST}
              FROM drugs_condition c, query WHERE c.search_vector @@ q
        )
        SELECT kind, id, rank, count(*) OVER (),
               count(*) FILTER (WHERE kind = 'article') OVER ()
        FROM hits
        ORDER BY rank DESC, kind, id LIMIT %s OFFSET %s
    """
    params = tsquery_params + visible_params * 2 + [PER_PAGE, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load_hits(rows: list[tuple], tsquery_sql: str, tsquery_params: list) -> list[Hit]:
    from articles.models import Article
    from drugs.models import Condition, Drug

    ids: dict[str, list[int]] = {"article": [], "drug": [], "condition": []}
    for kind, pk, *_ in rows:
        ids[kind].append(pk)
    objects = {
        "article": Article.objects.visible()
        .select_related("drug")
        .only("title", "slug", "lead", "drug__name", "drug__slug")
        .in_bulk(ids["article"]),
        "drug": Drug.objects.only("name", "slug", "summary").in_bulk(ids["drug"]),
        "condition": Condition.objects.only("name", "slug", "summary").in_bulk(ids["condition"]),
    }
    snippets = _snippets(ids, tsquery_sql, tsquery_params)
    hits = []
    for kind, pk, rank, *_ in rows:
        obj = objects[kind].get(pk)
        if obj is not None:
            hits.append(Hit(kind, obj, rank, snippets.get((kind, pk), mark_safe(""))))
    return hits


_SNIPPET_SOURCES = {
    "article": ("articles_article", "live_lead || ' ' || live_body_text"),
    "drug": ("drugs_drug", "name || '. ' || brand_names_text || '. ' || summary"),
    "condition": ("drugs_condition", "name || '. ' || summary"),
}


def _snippets(ids: dict[str, list[int]], tsquery_sql: str, tsquery_params: list) -> dict:
    parts, params = [], []
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
    for kind, pks in ids.items():
        if not pks:
            continue
        table, text = _SNIPPET_SOURCES[kind]
        parts.append(
            f"SELECT %s, id, ts_headline(%s::regconfig, {text}, ({tsquery_sql}), %s) "
            f"FROM {table} WHERE id = ANY(%s)"
        )
        params += [kind, SEARCH_CONFIG, *tsquery_params, options, pks]
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {(kind, pk): _highlight(text) for kind, pk, text in cursor.fetchall()}


def _highlight(text: str) -> SafeString:
    safe = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our <mark> tags are added


def _suggest(query: str, words: list[str]) -> str:
    """Replace misspelled words by the closest drug, brand or condition name."""
    candidates = [w for w in words if len(w) >= 4]
    if not candidates:
        return ""
    sql = """
        SELECT w, (
            SELECT n FROM (
                SELECT lower(name) AS n FROM drugs_drug WHERE lower(name) %% w
                UNION SELECT lower(name) FROM drugs_brandname WHERE lower(name) %% w
                UNION SELECT lower(name) FROM drugs_condition WHERE lower(name) %% w
            ) names
            WHERE similarity(n, w) >= %s ORDER BY similarity(n, w) DESC, n LIMIT 1)
        FROM unnest(%s::text[]) AS w
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [SUGGEST_SIMILARITY, candidates])
        replacements = {w: n for w, n in cursor.fetchall() if n and n != w}
    if not replacements:
        return ""
    suggestion = _WORD.sub(lambda m: replacements.get(m.group().lower(), m.group()), query)
    return suggestion if suggestion.lower() != query.lower() else ""
