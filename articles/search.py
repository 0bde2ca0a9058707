"""Ranked search over drugs, articles and conditions, on PostgreSQL full-text search.

One query ranks the three kinds together. Vectors are stored generated columns
(models) in the ``english_unaccent`` configuration, so stemming and accent folding are
the same at index and query time. A drug's vector holds its brands, class and the names
of the conditions it is approved or used for, so "spasticity" finds Baclofen's hub.

A reader's query is read three ways (``search_query``): any meaningful word makes a
result, any word ranks it, and every meaningful word doubles its rank. Inside those
queries, brand names expand to their generic and words to their synonyms
(``search_vocabulary.toml``) with ``ts_rewrite``, so "lioresal" finds Baclofen and
"spasms" finds spasticity.

Three choices keep it fast at 100,000 articles:

* Only a capped set of article candidates is ranked: those with every meaningful word
  (by title, then anywhere), then those with any, taken from the GIN indexes. Ranking
  every match of a common word costs hundreds of milliseconds; a few thousand, a few.
* Queries are cut at ``MAX_QUERY_CHARS``, at a word boundary, and ``MAX_WORDS`` words.
* Snippets (``ts_headline``) are computed for the page's rows only.

"Did you mean" replaces the words of a short query that find nothing published by the
closest drug, brand or condition name, and only when no result had every word and the
suggestion finds something itself.

Visibility is the ``PublishedArticle.objects.visible()`` rule itself, compiled into the
SQL; articles are searched in their published copies only.
"""

from dataclasses import dataclass, field

from django.db import connections, router
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import HUB_FIELDS, PublishedArticle
from articles.search_query import MAX_QUERY_CHARS, ReaderQuery, any_of, vocabulary
from content.models import SEARCH_CONFIG
from drugs.models import PublishedCondition, PublishedDrug

__all__ = ["MAX_QUERY_CHARS", "PER_PAGE", "rank_articles", "search"]

PER_PAGE = 20
MAX_PAGES = 50
TITLE_CANDIDATES = 500
ARTICLE_CANDIDATES = 1000
HUB_BOOST = 1.5  # a drug's or condition's own page is the best answer to its name
ALL_WORDS_BOOST = 2.0  # a result with every meaningful word of the query
PARTIAL_BELOW = PER_PAGE  # fewer pages with every word: those with some of them count too
SHORT_QUERY_WORDS = 4  # up to this many meaningful words, one of them in a body is a match
SUGGEST_MAX_WORDS = 5  # a longer query is a question, not a misspelled name
SUGGEST_SIMILARITY = 0.35
_START, _STOP = "\x02", "\x03"  # snippet highlight markers, escaped-then-replaced


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
    shortened: bool = False  # the query was cut to MAX_QUERY_CHARS

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
    query = ReaderQuery.parse(raw_query)
    page = min(max(1, page), MAX_PAGES)
    results = SearchResults(query=query.text, page=page, shortened=query.shortened)
    if not query.searchable:
        return results
    tsqueries = _tsqueries(query)
    short = len(query.meaningful) <= SHORT_QUERY_WORDS
    rows = _ranked(tsqueries, offset=(page - 1) * PER_PAGE, short=short)
    complete = 0  # results with every meaningful word
    if rows:
        results.total, articles, complete = rows[0][3:6]
        # Each article candidate set is capped: reaching one cap means there may be more.
        results.capped = articles >= ARTICLE_CANDIDATES
        results.hits = _load_hits(rows, tsqueries["match"])
    if not complete:
        results.suggestion = _suggest(query)
    return results


def rank_articles(queryset, raw_query: str):
    """Filter and rank any article queryset (drafts included) the way reader search ranks.

    It searches the working text (``edit_vector``) with the same weights and queries, so
    editors in the admin find what readers would find, and their drafts too.
    """
    from django.db.models import BooleanField, FloatField
    from django.db.models.expressions import RawSQL

    query = ReaderQuery.parse(raw_query)
    if not query.searchable:
        return queryset.none()
    tsqueries = _tsqueries(query)
    column = f'"{queryset.model._meta.db_table}"."edit_vector"'
    (all_sql, all_params), (any_sql, any_params), (match_sql, match_params) = (
        tsqueries[reading] for reading in ("all", "any", "match")
    )
    rank = RawSQL(_rank_sql(column, any_sql, all_sql, 1), any_params + all_params, FloatField())
    return queryset.filter(
        RawSQL(f"{column} @@ {match_sql}", match_params, BooleanField())
    ).annotate(search_rank=rank)


def _tsqueries(query: ReaderQuery) -> dict[str, tuple[str, list]]:
    """The SQL of the query's readings, brands and synonyms expanded."""
    rules = _rewrite_rules(query)
    return {name: _tsquery(text, rules) for name, text in query.readings().items()}


def _rewrite_rules(query: ReaderQuery) -> list[tuple[str, str]]:
    """(word or brand, websearch text of it or its alternatives) for those in the query.

    Brand names, one or two words long, expand to their generic; words to their synonyms,
    unless the query is to run exactly as written. Words compare stemmed, as indexed.
    """
    words = list(query.words)
    phrases = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    synonyms = {} if query.exact else vocabulary().synonyms
    sql = """
        (SELECT DISTINCT 'brand' AS source, 0 AS n, lower(b.name), d.name
           FROM drugs_publishedbrandname b
           JOIN drugs_publisheddrug d ON d.drug_id = b.published_drug_id
          WHERE lower(b.name) = ANY(%s) AND d.published_at <= %s LIMIT 10)
        UNION ALL
        SELECT 'synonym', n, word, alternatives
          FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS s(word, alternatives, n)
         WHERE to_tsvector(%s::regconfig, %s) @@ plainto_tsquery(%s::regconfig, word)
        ORDER BY 1, 2, 3
    """
    params = [list(phrases), timezone.now(), list(synonyms), list(synonyms.values())]
    params += [SEARCH_CONFIG, " ".join(words), SEARCH_CONFIG]
    with _reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        # A brand's row names its generic; a synonym's row has its websearch text.
        return [
            (target, any_of([target, text]) if source == "brand" else text)
            for source, _, target, text in cursor.fetchall()
        ]


def _tsquery(text: str, rules: list[tuple[str, str]]) -> tuple[str, list]:
    sql, params = "websearch_to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, text]
    for target, alternatives in rules:
        sql = (
            f"ts_rewrite({sql}, plainto_tsquery(%s::regconfig, %s), "
            "websearch_to_tsquery(%s::regconfig, %s))"
        )
        params += [SEARCH_CONFIG, target, SEARCH_CONFIG, alternatives]
    return sql, params


def _rank_sql(vector: str, any_sql: str, all_sql: str, boost: float) -> str:
    return (
        f"ts_rank({vector}, {any_sql}) * {boost} "
        f"* CASE WHEN {vector} @@ {all_sql} THEN {ALL_WORDS_BOOST} ELSE 1 END"
    )


def _visible_articles_sql() -> tuple[str, list]:
    queryset = PublishedArticle.objects.visible()
    connection = _reading_connection()
    compiler = queryset.query.get_compiler(connection=connection)
    where, params = queryset.query.where.as_sql(compiler, connection)
    return where, list(params)


def _ranked(tsqueries: dict, offset: int, *, short: bool) -> list[tuple]:
    """(kind, id, rank, total, articles, complete) of one page of results.

    Article candidates are those with every meaningful word; only when they are fewer
    than ``PARTIAL_BELOW`` do those with some of the words join them (by title, and by
    body for a short query: a long question's many words would match nearly every body).
    """
    visible, visible_params = _visible_articles_sql()
    scans = {"complete": [], "partial": []}

    def scan(kind: str, vector: str, q: str, limit: int, gate: str = "") -> None:
        scans[kind].append(
            f"(SELECT article_id AS id FROM articles_publishedarticle, query "
            f"WHERE {vector} @@ {q} AND {visible}"
            f"{gate} LIMIT {limit})"
        )

    scan("complete", "title_vector", "q_all", TITLE_CANDIDATES)
    scan("complete", "search_vector", "q_all", ARTICLE_CANDIDATES)
    if tsqueries["match"] != tsqueries["all"]:
        gate = f" AND (SELECT count(*) FROM complete) < {PARTIAL_BELOW}"  # else not scanned
        scan("partial", "title_vector", "q_match", TITLE_CANDIDATES, gate)
        if short:
            scan("partial", "search_vector", "q_match", ARTICLE_CANDIDATES, gate)
    partial = " UNION ".join(scans["partial"]) or "SELECT NULL::bigint AS id WHERE false"
    (all_sql, all_params), (any_sql, any_params), (match_sql, match_params) = (
        tsqueries[reading] for reading in ("all", "any", "match")
    )
    sql = f"""
        WITH query AS (SELECT {all_sql} AS q_all, {any_sql} AS q_any, {match_sql} AS q_match),
        complete AS ({" UNION ".join(scans["complete"])}),
        partial AS ({partial}),
        candidates AS (
            SELECT id, true AS complete FROM complete
            UNION ALL
            SELECT id, false FROM partial WHERE id NOT IN (SELECT id FROM complete)
        ),
        hits AS (
            SELECT 'article' AS kind, a.article_id AS id, ts_rank(a.search_vector, q_any) AS rank,
                   c.complete
              FROM articles_publishedarticle a JOIN candidates c ON c.id = a.article_id, query
            UNION ALL
            SELECT 'drug', d.drug_id, ts_rank(d.search_vector, q_any) * {HUB_BOOST},
                   d.search_vector @@ q_all
              FROM drugs_publisheddrug d, query
             WHERE d.search_vector @@ q_match AND d.published_at <= %s
            UNION ALL
            SELECT 'condition', c.condition_id, ts_rank(c.search_vector, q_any) * {HUB_BOOST},
                   c.search_vector @@ q_all
              FROM drugs_publishedcondition c, query
             WHERE c.search_vector @@ q_match AND c.published_at <= %s
        )
        SELECT kind, id, rank * CASE WHEN complete THEN {ALL_WORDS_BOOST} ELSE 1 END AS score,
               count(*) OVER (),
               count(*) FILTER (WHERE kind = 'article') OVER (),
               count(*) FILTER (WHERE complete) OVER ()
        FROM hits
        ORDER BY score DESC, kind, id LIMIT %s OFFSET %s
    """
    params = all_params + any_params + match_params
    params += visible_params * (len(scans["complete"]) + len(scans["partial"]))
    params += [timezone.now(), timezone.now(), PER_PAGE, offset]
    with _reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load_hits(rows: list[tuple], tsquery: tuple[str, list]) -> list[Hit]:
    ids: dict[str, list[int]] = {"article": [], "drug": [], "condition": []}
    for kind, pk, *_ in rows:
        ids[kind].append(pk)
    objects = {
        "article": PublishedArticle.objects.visible()
        .with_hub()
        .only("title", "slug", "lead", *HUB_FIELDS)
        .in_bulk(ids["article"]),
        "drug": PublishedDrug.objects.only("name", "slug", "summary").in_bulk(ids["drug"]),
        "condition": PublishedCondition.objects.only("name", "slug", "summary").in_bulk(
            ids["condition"]
        ),
    }
    snippets = _snippets(ids, tsquery)
    hits = []
    for kind, pk, rank, *_ in rows:
        obj = objects[kind].get(pk)
        if obj is not None:
            hits.append(Hit(kind, obj, rank, snippets.get((kind, pk), mark_safe(""))))
    return hits


_SNIPPET_SOURCES = {  # the table, its key, the text a snippet is cut from
    "article": ("articles_publishedarticle", "article_id", "lead || ' ' || body_text"),
    "drug": (
        "drugs_publisheddrug",
        "drug_id",
        "name || '. ' || brand_names_text || '. ' || summary",
    ),
    "condition": ("drugs_publishedcondition", "condition_id", "name || '. ' || summary"),
}


def _snippets(ids: dict[str, list[int]], tsquery: tuple[str, list]) -> dict:
    tsquery_sql, tsquery_params = tsquery
    parts, params = [], []
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
    for kind, pks in ids.items():
        if not pks:
            continue
        table, key, text = _SNIPPET_SOURCES[kind]
        parts.append(
            f"SELECT %s, {key}, ts_headline(%s::regconfig, {text}, ({tsquery_sql}), %s) "
            f"FROM {table} WHERE {key} = ANY(%s)"
        )
        params += [kind, SEARCH_CONFIG, *tsquery_params, options, pks]
    if not parts:
        return {}
    with _reading_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {(kind, pk): _highlight(text) for kind, pk, text in cursor.fetchall()}


def _reading_connection():
    """Where the ORM reads published rows from: for a reader's request, a replica
    (medinfo/db_routing.py); raw SQL on ``connection`` would always use the primary."""
    return connections[router.db_for_read(PublishedArticle)]


def _highlight(text: str) -> SafeString:
    safe = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our <mark> tags are added


def _suggest(query: ReaderQuery) -> str:
    """The query with its words that find nothing published replaced by the closest word
    of a drug, brand or condition name, if that finds something; else ""."""
    candidates = query.spelling_candidates()
    if query.exact or len(query.words) > SUGGEST_MAX_WORDS or not candidates:
        return ""
    visible, visible_params = _visible_articles_sql()
    # Names with a similar word come from the trigram indexes; the closest of their words
    # replaces the misspelled one ("chronic hicups" -> "chronic hiccups", not a repeat).
    sql = f"""
        SELECT w, (
            SELECT word FROM (
                SELECT lower(name) AS n FROM drugs_publisheddrug
                 WHERE lower(name) %% w AND published_at <= %s
                UNION SELECT lower(b.name) FROM drugs_publishedbrandname b
                  JOIN drugs_publisheddrug d ON d.drug_id = b.published_drug_id
                 WHERE lower(b.name) %% w AND d.published_at <= %s
                UNION SELECT lower(name) FROM drugs_publishedcondition
                 WHERE lower(name) %% w AND published_at <= %s
            ) names, regexp_split_to_table(n, '[^[:alnum:]]+') AS word
            WHERE similarity(word, w) >= %s ORDER BY similarity(word, w) DESC, word LIMIT 1)
        FROM unnest(%s::text[]) AS w, plainto_tsquery(%s::regconfig, w) AS q
        WHERE NOT EXISTS (
                SELECT 1 FROM drugs_publisheddrug WHERE search_vector @@ q AND published_at <= %s)
          AND NOT EXISTS (
                SELECT 1 FROM drugs_publishedcondition
                 WHERE search_vector @@ q AND published_at <= %s)
          AND NOT EXISTS (
                SELECT 1 FROM articles_publishedarticle WHERE search_vector @@ q AND {visible})
    """
    with _reading_connection().cursor() as cursor:
        now = timezone.now()
        params = [now, now, now, SUGGEST_SIMILARITY, candidates, SEARCH_CONFIG, now, now]
        cursor.execute(sql, [*params, *visible_params])
        replacements = {word: name for word, name in cursor.fetchall() if name}
    if not replacements:
        return ""
    suggestion = query.replace_words(replacements)
    return suggestion if _finds_anything(ReaderQuery.parse(suggestion)) else ""


def _finds_anything(query: ReaderQuery) -> bool:
    match_sql, match_params = _tsqueries(query)["match"]
    visible, visible_params = _visible_articles_sql()
    sql = f"""
        WITH query AS (SELECT {match_sql} AS q)
        SELECT EXISTS (SELECT 1 FROM drugs_publisheddrug, query
                        WHERE search_vector @@ q AND published_at <= %s)
            OR EXISTS (SELECT 1 FROM drugs_publishedcondition, query
                        WHERE search_vector @@ q AND published_at <= %s)
            OR EXISTS (SELECT 1 FROM articles_publishedarticle, query
                        WHERE search_vector @@ q AND {visible})
    """
    with _reading_connection().cursor() as cursor:
        cursor.execute(sql, [*match_params, timezone.now(), timezone.now(), *visible_params])
        return cursor.fetchone()[0]
