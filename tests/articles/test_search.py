"""Search: ranking, stemming, accents, brands, suggestions, visibility and hostile queries."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import timezone

from articles.models import Status
from articles.search import MAX_QUERY_CHARS, PER_PAGE, search
from tests.factories import (
    ArticleFactory,
    BrandNameFactory,
    ConditionFactory,
    DrugFactory,
    IndicationFactory,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    baclofen = DrugFactory(
        name="Baclofen", slug="baclofen", summary="A muscle relaxant for spasticity."
    )
    BrandNameFactory(drug=baclofen, name="Lioresal", mark="®")
    tizanidine = DrugFactory(name="Tizanidine", slug="tizanidine", summary="Eases muscle tone.")
    ConditionFactory(name="Spasticity", slug="spasticity", summary="Stiff, tight muscles.")
    ConditionFactory(name="Ménière disease", slug="meniere", summary="An inner ear disorder.")
    return {
        "baclofen": baclofen,
        "tizanidine": tizanidine,
        "title_match": ArticleFactory(
            title="Hiccups and Baclofen", slug="hiccups-title", drug=baclofen,
            lead="A lead.", body="Nothing relevant here.",
        ),
        "body_match": ArticleFactory(
            title="A General Article", slug="hiccups-body", drug=tizanidine,
            lead="A lead.", body="Some readers ask about hiccups in passing.",
        ),
        "uses": ArticleFactory(
            title="What Is Baclofen Used For?", slug="baclofen-uses", drug=baclofen,
            lead="Baclofen treats spasticity.", body="It relieves muscle spasms.",
        ),
    }  # fmt: skip


def kinds_and_titles(results):
    return [(hit.kind, getattr(hit.obj, "title", None) or hit.obj.name) for hit in results.hits]


def test_title_match_ranks_above_body_match(corpus):
    titles = [title for _, title in kinds_and_titles(search("hiccups"))]
    assert titles.index("Hiccups and Baclofen") < titles.index("A General Article")


def test_drug_name_puts_the_drug_hub_first(corpus):
    assert search("baclofen").hits[0].obj == corpus["baclofen"].published


def test_brand_name_finds_its_drug_and_the_drugs_articles(corpus):
    found = search("lioresal")
    objects = [hit.obj for hit in found.hits]
    assert corpus["baclofen"].published in objects
    assert corpus["uses"].published in objects


def test_brand_name_expansion_keeps_the_other_words(corpus):
    found = [hit.obj for hit in search("lioresal spasticity").hits]
    # "title_match" mentions baclofen but not spasticity: found, but below both words.
    assert found.index(corpus["uses"].published) < found.index(corpus["title_match"].published)


def test_stemming_finds_singular_from_plural(corpus):
    assert corpus["uses"].published in [hit.obj for hit in search("spasm").hits]


def test_accents_are_ignored(corpus):
    assert [hit.obj.slug for hit in search("meniere").hits] == ["meniere"]
    assert [hit.obj.slug for hit in search("Ménière").hits] == ["meniere"]


def test_websearch_syntax_or_and_exclusion(corpus):
    either = {hit.obj.slug for hit in search("tizanidine OR spasticity").hits}
    assert {"tizanidine", "spasticity"} <= either
    without = {hit.obj.slug for hit in search("hiccups -general").hits}
    assert "hiccups-body" not in without and "hiccups-title" in without


def test_phrase_search(corpus):
    found = {hit.obj.slug for hit in search('"muscle spasms"').hits}
    assert "baclofen-uses" in found
    assert "tizanidine" not in found


def test_snippet_highlights_the_matched_word_and_escapes_text(corpus):
    ArticleFactory(title="Escaping", slug="escaping", lead="<script>x</script> hiccups here")
    hit = next(h for h in search("hiccups").hits if h.obj.slug == "escaping")
    soup = BeautifulSoup(str(hit.snippet), "html.parser")
    assert soup.find("mark").get_text().lower() == "hiccups"
    assert soup.find("script") is None


def test_misspelling_gets_a_suggestion(corpus):
    assert search("baclophen").suggestion == "baclofen"


def test_correct_spelling_gets_no_suggestion(corpus):
    assert search("baclofen").suggestion == ""


# --- Questions, synonyms and a drug's conditions -----------------------------------------


def test_a_question_needs_only_its_meaningful_words(corpus):
    found = [hit.obj for hit in search("what is baclofen used for").hits]
    assert found[0] == corpus["uses"].published  # the title has every word
    assert corpus["baclofen"].published in found[:3]


def test_question_words_alone_do_not_make_a_result(corpus):
    ArticleFactory(title="Drugs and their uses", slug="drugs-uses", lead="How drugs are used.")
    slugs = [hit.obj.slug for hit in search("drugs for spasticity").hits]
    assert slugs[0] == "spasticity" and "baclofen" in slugs[:3]
    assert "drugs-uses" not in slugs


def test_results_with_every_word_rank_above_results_with_some(corpus):
    ArticleFactory(title="Spasticity in children", slug="children", lead="About spasticity.")
    slugs = [hit.obj.slug for hit in search("baclofen spasticity").hits]
    assert slugs.index("baclofen-uses") < slugs.index("children")
    assert slugs.index("baclofen-uses") < slugs.index("hiccups-title")


def test_synonyms_find_what_readers_mean(corpus):
    slugs = [hit.obj.slug for hit in search("muscle spasms").hits]
    assert "baclofen" in slugs[:3]  # "muscle relaxant for spasticity": no word of the query


def test_a_drug_hub_matches_the_conditions_it_is_approved_or_used_for(corpus):
    hiccups = ConditionFactory(name="Chronic hiccups", slug="chronic-hiccups")
    use = IndicationFactory(drug=corpus["tizanidine"], condition=hiccups, off_label=True)
    assert "tizanidine" in [hit.obj.slug for hit in search("chronic hiccups").hits]
    hiccups.name = "Intractable singultus"
    hiccups.save()
    publish_reviewed(corpus["tizanidine"])  # the hub names its conditions as reviewed
    assert "tizanidine" in [hit.obj.slug for hit in search("singultus").hits]
    use.delete()
    publish_reviewed(corpus["tizanidine"])
    assert "tizanidine" not in [hit.obj.slug for hit in search("singultus").hits]


def test_a_drug_saved_with_stale_conditions_keeps_them(corpus):
    IndicationFactory(drug=corpus["tizanidine"], condition=ConditionFactory(name="Cramps"))
    corpus["tizanidine"].summary = "Eases muscle tone, changed."
    corpus["tizanidine"].save()  # its conditions_text in memory predates the use
    publish_reviewed(corpus["tizanidine"])
    assert "tizanidine" in [hit.obj.slug for hit in search("cramps").hits]


def test_long_query_is_cut_at_a_word_boundary_and_still_finds(corpus):
    results = search("baclofen " * 40)
    assert len(results.query) <= MAX_QUERY_CHARS and results.query.endswith("baclofen")
    assert results.shortened
    assert results.hits[0].obj == corpus["baclofen"].published
    assert search("x" * 1000).query == "x" * MAX_QUERY_CHARS  # one word: cut anyway


def test_a_long_question_finds_results_and_gets_no_suggestion(corpus):
    question = (
        "My neurologist mentioned a muscle relaxant called baclofen for the spasticity I "
        "have had since my spinal cord injury, and I would like to know what baclofen is "
        "used for, whether it helps with hiccups, and what happens if I forget a dose or "
        "stop it suddenly because of side effects such as drowsiness."
    )
    results = search(question)
    assert results.suggestion == ""
    assert corpus["uses"].published in [hit.obj for hit in results.hits[:3]]


def test_a_suggestion_replaces_only_words_that_find_nothing(corpus):
    ConditionFactory(name="Chronic hiccups", slug="chronic-hiccups")
    assert search("hiccups").suggestion == ""  # not "chronic hiccups": it found things
    assert search("chronic hicups").suggestion == "chronic hiccups"
    assert search("baclophen spasticity").suggestion == "baclofen spasticity"


def test_no_suggestion_that_would_find_nothing_or_for_an_exact_query(corpus):
    assert search("zqxwv").suggestion == ""
    assert search('"baclophen"').suggestion == ""


def test_an_exclusion_alone_finds_nothing(corpus):
    results = search("-hiccups")
    assert results.total == 0 and results.hits == []


@pytest.mark.parametrize(
    "change",
    [
        {"status": Status.DRAFT},
        {"status": Status.IN_REVIEW},
        {"published_at": timezone.now() + datetime.timedelta(days=3)},
        {"reviewed_on": None},
    ],
    ids=["draft", "in-review", "future", "unreviewed"],
)
def test_invisible_articles_never_appear_not_even_in_counts(change):
    ArticleFactory(title="Zyxwort secrets", slug="secret", **change)
    results = search("zyxwort")
    assert results.hits == [] and results.total == 0


def test_pagination_splits_results(db):
    drug = DrugFactory(name="Pagidrug", slug="pagidrug")
    for n in range(PER_PAGE + 5):
        ArticleFactory(title=f"Pagination topic {n}", slug=f"pag-{n}", drug=drug)
    first, second = search("pagination", page=1), search("pagination", page=2)
    assert first.total == PER_PAGE + 5 and first.pages == 2
    assert len(first.hits) == PER_PAGE and len(second.hits) == 5
    assert not {h.obj.pk for h in first.hits} & {h.obj.pk for h in second.hits}


HOSTILE_QUERIES = {
    "empty": "",
    "blank": "   ",
    "sql-injection": "' OR 1=1 --",
    "like-wildcard-percent": "%",
    "like-wildcard-underscore": "_",
    "backslash": "\\",
    "tsquery-operators": "foo & | !(",
    "punctuation-only": "!!!???...",
    "100k-characters": "x" * 100_000,
    "bidi-override": "\u202eevil\u202c",
    "nul-byte": "\x00nul",
    "cyrillic": "баклофен",
    "cjk": "巴氯芬",
    "unterminated-quote": '"unterminated phrase',
    "lone-minus": "-",
    "websearch-or-operator": "OR",
    "stop-words-only": "the and of",
    "script-tag": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_hostile_queries_give_a_normal_page(client, corpus, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1") is not None
    assert not soup.select("main script")
    field = soup.find("input", attrs={"name": "q", "id": "search-page-q"})
    assert len(field.get("value", "")) <= MAX_QUERY_CHARS


def test_search_page_lists_results_with_kind_labels_and_links(client, corpus):
    soup = BeautifulSoup(client.get("/search/", {"q": "baclofen"}).content, "html.parser")
    first = soup.select_one(".search-results li")
    assert first.select_one(".search-result__kind").get_text(strip=True) == "Drug"
    assert first.find("a")["href"] == "/drugs/baclofen/"


def test_search_page_shows_suggestion_and_no_results_message(client, corpus):
    soup = BeautifulSoup(client.get("/search/", {"q": "baclophen"}).content, "html.parser")
    assert "Did you mean" in soup.select_one(".search-suggestion").get_text()
    assert soup.select_one(".search-suggestion a").get_text() == "baclofen"
    assert soup.select_one(".search-empty") is not None


def test_search_page_says_when_a_long_query_was_shortened(client, corpus):
    soup = BeautifulSoup(client.get("/search/", {"q": "baclofen " * 40}).content, "html.parser")
    assert "long" in soup.select_one(".search-note").get_text()
    assert soup.select_one(".search-results li a")["href"] == "/drugs/baclofen/"


@pytest.mark.parametrize("url", ["/", "/search/?q=baclofen", "/no-such-page/"])
def test_each_search_box_on_a_page_is_a_landmark_with_its_own_name(client, corpus, url):
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    names = [form.get("aria-label") for form in soup.find_all("form", role="search")]
    assert len(names) == 2  # the header's and the page's own
    assert all(names) and len(set(names)) == len(names)
    assert soup.find("header").find("form", role="search")["aria-label"] == "Site search"


@override_settings(PAGE_CACHE_ENABLED=False)  # what rendering the page costs, every time
def test_search_page_query_count_is_fixed(client, corpus, django_assert_num_queries):
    client.get("/search/", {"q": "baclofen"})  # warm up
    with django_assert_num_queries(6):
        client.get("/search/", {"q": "baclofen"})


def test_admin_article_search_uses_the_same_ranking_and_finds_drafts(staff_client, corpus):
    ArticleFactory(title="Hiccups draft notes", slug="hiccups-draft", status=Status.DRAFT)
    response = staff_client.get("/admin/articles/article/", {"q": "hiccups"})
    assert response.status_code == 200
    rows = [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select(
        "#result_list tbody th a"
    )]  # fmt: skip
    assert "Hiccups draft notes" in rows
    assert rows.index("Hiccups and Baclofen") < rows.index("A General Article")


def test_admin_article_search_with_a_brand_name_finds_the_drugs_articles(staff_client, corpus):
    response = staff_client.get("/admin/articles/article/", {"q": "lioresal"})
    titles = [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select(
        "#result_list tbody th a"
    )]  # fmt: skip
    assert "What Is Baclofen Used For?" in titles
