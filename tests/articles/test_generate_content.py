"""generate_content: deterministic synthetic content, and search plans that use the GIN index."""

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article, PublishedArticle
from articles.search import _tsquery, _visible_articles_sql
from articles.synthetic import generate
from drugs.models import BrandName, Drug, PublishedCondition

pytestmark = pytest.mark.django_db


def snapshot():
    return list(Article.objects.order_by("slug").values_list("slug", "title", "body"))


def test_generate_content_is_deterministic_for_a_seed():
    generate(drugs=5, articles=40, seed=7)
    first = snapshot()
    Article.objects.all().delete()
    BrandName.objects.all().delete()
    Drug.objects.all().delete()
    generate(drugs=5, articles=40, seed=7)
    assert snapshot() == first
    assert len(first) == 40


def test_generated_articles_are_visible_rendered_and_searchable():
    generate(drugs=3, articles=12, seed=1)
    article = PublishedArticle.objects.visible().first()
    assert article.body_html.startswith("<h2")
    assert article.body_text and "##" not in article.body_text
    drug = Drug.objects.first()
    brands = set(drug.brand_names.values_list("name", flat=True))
    assert set(drug.brand_names_text.split()) == brands


def test_generated_hubs_and_conditions_are_published_as_reviewed(client):
    generate(drugs=3, articles=6, seed=1)
    for drug in Drug.objects.select_related("published"):
        assert drug.published.fingerprint == drug.text_hash() == drug.reviewed_hash
        assert client.get(f"/drugs/{drug.slug}/").status_code == 200
    condition = PublishedCondition.objects.first()
    assert client.get(f"/conditions/{condition.slug}/").status_code == 200


def test_generate_content_command_refuses_to_generate_twice(capsys):
    call_command("generate_content", "--drugs", "2", "--articles", "4")
    assert "4 articles" in capsys.readouterr().out
    call_command("generate_content", "--drugs", "2", "--articles", "4", "--if-missing")
    assert "nothing to do" in capsys.readouterr().out
    assert Article.objects.count() == 4


def test_search_candidates_use_the_gin_index_on_a_large_table():
    generate(drugs=100, articles=4000, seed=3)
    few = Article.objects.order_by("pk").values_list("pk", flat=True)[:5]
    PublishedArticle.objects.filter(pk__in=list(few)).update(body_text="a xylophonic remark")
    with connection.cursor() as cursor:
        # What autovacuum does on a live site: merge the GIN pending list, refresh stats.
        cursor.execute("SELECT gin_clean_pending_list('published_article_search_idx'::regclass)")
        cursor.execute("ANALYZE articles_publishedarticle")
        tsquery, params = _tsquery("xylophonic", [])
        visible, visible_params = _visible_articles_sql()
        cursor.execute(
            f"EXPLAIN SELECT article_id FROM articles_publishedarticle "
            f"WHERE search_vector @@ {tsquery} AND {visible} LIMIT 2000",
            params + visible_params,
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_idx" in plan, plan
