"""Every medical fact of a drug hub or condition page reaches readers only once reviewed.

Found on what had landed, with an Editor login: setting the baclofen summary to
"UNREVIEWED: take 500 mg" and switching it to over-the-counter were both public at once.
Now an edit waits, unseen, while the published copy stays live; a medical reviewer other
than whoever last changed the text vouches for it (seeing what changed), and a Publisher
publishes it.
"""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from content import review_workflow
from drugs.models import Condition, Drug, PublishedDrug
from interchange.demo import seed_demo
from tests import factories
from tests.articles.test_edit_conflicts import form_data
from tests.articles.test_roles import role_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    return {
        "editor": role_user("editor", username="edna"),
        "reviewer": role_user(
            "medical reviewer", username="rita", reviewer_profile=("Rita Roe", "MD")
        ),
        "other_reviewer": role_user("medical reviewer", username="rob"),
        "publisher": role_user("publisher", username="pat", reviewer_profile=None),
    }


@pytest.fixture
def baclofen():
    seed_demo()
    return Drug.objects.get(slug="baclofen")


def hub_text(url: str = "/drugs/baclofen/") -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ")


def edit_drug(client: Client, drug: Drug, **changes):
    url = reverse("admin:drugs_drug_change", args=[drug.pk])
    data = form_data(client.get(url), "#drug_form") | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    return client.get(url)


def step(client: Client, obj, name: str, **data):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk])
    return client.post(url, data, follow=True)


def panel(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser").select_one("#workflow")


def test_an_editors_unreviewed_facts_never_reach_readers(people, baclofen):
    editor = client_for(people["editor"])
    edit_drug(editor, baclofen, summary="UNREVIEWED: take 500 mg", availability="over-the-counter")

    text = hub_text()
    assert "UNREVIEWED" not in text and "Prescription only" in text
    assert "UNREVIEWED" not in Client().get("/search/?q=unreviewed").content.decode()
    page = Client().get("/conditions/spasticity/").content.decode()
    assert "UNREVIEWED" not in page
    assert step(editor, baclofen, "publish").status_code == 403


def test_the_reviewer_sees_the_diff_and_another_reviewer_is_required(people, baclofen):
    reviewer = client_for(people["reviewer"])
    page = edit_drug(reviewer, baclofen, summary="Relaxes muscles. Take with food.")

    box = panel(page)
    assert "needs a medical review" in box.get_text()
    assert (
        box.select_one(".review-diff__added")
        .get_text(" ", strip=True)
        .endswith("Relaxes muscles. Take with food.")
    )
    assert box.select_one("form[action$='/review/']") is None  # their own change
    assert review_workflow.OWN_TEXT in box.get_text()
    refused = step(reviewer, baclofen, "review", text_hash=baclofen.text_hash())
    assert "another medical reviewer" in refused.content.decode()

    other = client_for(people["other_reviewer"])
    baclofen.refresh_from_db()
    done = step(other, baclofen, "review", text_hash=baclofen.text_hash())
    assert "Medical review recorded: Ann Lee, MD" in done.content.decode()
    assert "Take with food" not in hub_text()  # reviewed, not yet published

    published = step(client_for(people["publisher"]), baclofen, "publish")
    assert "Published" in published.content.decode()
    assert "Relaxes muscles. Take with food." in hub_text()
    assert "Medically reviewed by Ann Lee, MD" in " ".join(hub_text().split())
    copy = PublishedDrug.objects.get(pk=baclofen.pk)
    assert (copy.reviewed_by, copy.fingerprint) == ("Ann Lee, MD", baclofen.text_hash())


def test_a_review_of_an_older_text_is_refused(people, baclofen):
    other = client_for(people["other_reviewer"])
    seen = baclofen.text_hash()
    edit_drug(client_for(people["editor"]), baclofen, drug_class="Changed meanwhile")
    refused = step(other, baclofen, "review", text_hash=seen)
    assert "The text changed after you opened it" in refused.content.decode()


def test_superusers_are_not_exempt_from_four_eyes(baclofen):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    factories.ReviewerProfileFactory(user=admin, display_name="Root", credential="MD")
    client = client_for(admin)
    edit_drug(client, baclofen, summary="Changed by the superuser.")
    baclofen.refresh_from_db()
    with pytest.raises(review_workflow.PublishingError, match="another medical reviewer"):
        review_workflow.record_review(baclofen, user=admin)


def test_publishing_without_a_current_review_is_refused(people, baclofen):
    edit_drug(client_for(people["editor"]), baclofen, summary="Not reviewed.")
    refused = step(client_for(people["publisher"]), baclofen, "publish")
    assert "no medical review" in refused.content.decode()
    assert "Not reviewed." not in hub_text()


def test_a_slug_change_waits_for_publishing_then_the_old_url_redirects(people, baclofen):
    edit_drug(client_for(people["editor"]), baclofen, slug="baclofen-oral")
    assert Client().get("/drugs/baclofen-oral/").status_code == 404
    hub_text("/drugs/baclofen/")
    baclofen.refresh_from_db()
    step(client_for(people["other_reviewer"]), baclofen, "review", text_hash=baclofen.text_hash())
    step(client_for(people["publisher"]), baclofen, "publish")
    response = Client().get("/drugs/baclofen/")
    assert (response.status_code, response["Location"]) == (301, "/drugs/baclofen-oral/")
    article = Client().get("/drugs/baclofen-oral/baclofen-uses/")
    assert article.status_code == 200


def test_a_hub_with_live_articles_cannot_be_unpublished(people, baclofen):
    refused = step(client_for(people["publisher"]), baclofen, "unpublish")
    assert "published articles are about this drug" in refused.content.decode()
    assert Client().get("/drugs/baclofen/").status_code == 200


def test_a_condition_page_goes_through_the_same_gate(people):
    condition = factories.ConditionFactory(slug="spasticity", name="Spasticity")
    editor = client_for(people["editor"])
    url = reverse("admin:drugs_condition_change", args=[condition.pk])
    data = form_data(editor.get(url), "#condition_form") | {"summary": "UNREVIEWED claim."}
    assert editor.post(url, data).status_code == 302
    assert "UNREVIEWED" not in Client().get("/conditions/spasticity/").content.decode()
    condition = Condition.objects.get(pk=condition.pk)
    step(client_for(people["other_reviewer"]), condition, "review", text_hash=condition.text_hash())
    step(client_for(people["publisher"]), condition, "publish")
    assert "UNREVIEWED claim." in Client().get("/conditions/spasticity/").content.decode()


def test_a_drug_never_published_is_not_found_and_links_to_it_are_text(people):
    drug = factories.DrugFactory(slug="newdrug", published=False)
    factories.SitePageFactory(slug="page", body="[the new drug](drug:newdrug)")
    assert Client().get("/drugs/newdrug/").status_code == 404
    assert b'href="/drugs/newdrug/"' not in Client().get("/page/").content
    factories.publish_reviewed(drug)
    assert b'href="/drugs/newdrug/"' in Client().get("/page/").content
