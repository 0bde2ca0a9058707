"""Two editors on one page: the second save is refused, its text kept, the first one kept."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from articles.models import Article, SitePage
from drugs.models import Drug
from tests import factories
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


def form_data(response, selector: str) -> dict:
    """What a browser would submit from the form: every field with its current value."""
    form = BeautifulSoup(response.content, "html.parser").select_one(selector)
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")  # the parser's leading newline
        elif field.name == "select":
            chosen = [o.get("value", "") for o in field.select("option[selected]")]
            if field.has_attr("multiple"):
                data[name] = chosen
            else:
                options = field.select("option")
                data[name] = (
                    chosen[0] if chosen else (options[0].get("value", "") if options else "")
                )
        elif field.get("type") in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") not in {"submit", "button", "file", "image"}:
            data[name] = field.get("value", "")
    return data


def errors_on(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.get_text(" ", strip=True) for item in soup.select(".errorlist li")]


def editor_client(name: str, first_name: str) -> Client:
    client = Client()
    client.force_login(role_user("editor", username=name, first_name=first_name, last_name="E"))
    return client


@pytest.fixture
def editors():
    return editor_client("a", "Alice"), editor_client("b", "Bob")


def test_second_save_of_an_article_is_refused_and_keeps_both_texts(editors):
    a, b = editors
    article = factories.ArticleFactory(body="Take 1 mg.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form_a = form_data(a.get(url), "#article_form")
    form_b = form_data(b.get(url), "#article_form")

    saved = a.post(url, form_a | {"body": "Take 5 mg."})
    refused = b.post(url, form_b | {"body": "Take 10 mg."})

    assert saved.status_code == 302, errors_on(saved)
    assert refused.status_code == 200
    [message] = [e for e in errors_on(refused) if "while you were editing" in e]
    assert message.startswith("Alice E saved this article at ")
    assert "Your changes below are NOT saved yet" in message
    shown = form_data(refused, "#article_form")
    assert shown["body"] == "Take 10 mg."
    assert Article.objects.get(pk=article.pk).body == "Take 5 mg."


def test_saving_again_after_the_conflict_message_is_a_deliberate_replace(editors):
    a, b = editors
    article = factories.ArticleFactory(body="Take 1 mg.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form_a = form_data(a.get(url), "#article_form")
    form_b = form_data(b.get(url), "#article_form")
    a.post(url, form_a | {"body": "Take 5 mg."})
    refused = b.post(url, form_b | {"body": "Take 10 mg."})

    again = b.post(url, form_data(refused, "#article_form"))

    assert again.status_code == 302, errors_on(again)
    assert Article.objects.get(pk=article.pk).body == "Take 10 mg."


def test_one_editor_saving_twice_in_a_row_is_no_conflict(editors):
    a, _ = editors
    article = factories.ArticleFactory(body="Take 1 mg.")
    url = reverse("admin:articles_article_change", args=[article.pk])
    a.post(url, form_data(a.get(url), "#article_form") | {"body": "Take 5 mg."})

    second = a.post(url, form_data(a.get(url), "#article_form") | {"body": "Take 10 mg."})

    assert second.status_code == 302, errors_on(second)
    assert Article.objects.get(pk=article.pk).body == "Take 10 mg."


def test_second_save_of_a_drug_is_refused_with_its_inlines_kept(editors):
    a, b = editors
    drug = factories.DrugFactory(summary="Old summary.")
    factories.FormulationFactory(drug=drug, name="Tablet", strengths=["1 mg"])
    url = reverse("admin:drugs_drug_change", args=[drug.pk])
    form_a = form_data(a.get(url), "#drug_form")
    form_b = form_data(b.get(url), "#drug_form")

    saved = a.post(url, form_a | {"formulations-0-strengths": "5 mg"})
    refused = b.post(url, form_b | {"formulations-0-strengths": "10 mg", "summary": "B's."})

    assert saved.status_code == 302, errors_on(saved)
    assert any("saved this drug at" in e for e in errors_on(refused))
    shown = form_data(refused, "#drug_form")
    assert (shown["formulations-0-strengths"], shown["summary"]) == ("10 mg", "B's.")
    drug = Drug.objects.get(pk=drug.pk)
    assert drug.formulations.get().strengths == ["5 mg"]
    assert drug.summary == "Old summary."


def test_second_save_of_a_site_page_is_refused(editors):
    a, b = editors
    page = factories.SitePageFactory(slug="terms", body="Old terms.")
    url = reverse("admin:articles_sitepage_change", args=[page.pk])
    form_a = form_data(a.get(url), "#sitepage_form")
    form_b = form_data(b.get(url), "#sitepage_form")

    a.post(url, form_a | {"body": "A's terms."})
    refused = b.post(url, form_b | {"body": "B's terms."})

    assert any("saved this site page at" in e for e in errors_on(refused))
    assert form_data(refused, "#sitepage_form")["body"] == "B's terms."
    assert SitePage.objects.get(pk=page.pk).body == "A's terms."
