"""factory_boy factories for every model the tests build."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from articles.models import Article, SitePage, Status
from content import review_workflow
from content.models import ReviewerProfile
from drugs.models import BrandName, Condition, Drug, Formulation, Indication


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class ReviewerProfileFactory(DjangoModelFactory):
    """The name and credential readers see on a user's reviews (an admin sets them)."""

    class Meta:
        model = ReviewerProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, is_staff=True)
    display_name = "Jane Doe"
    credential = "MD"


def publish_reviewed(obj, *, at=None):
    """Review (as the system, for "Test Reviewer, MD") and publish a drug hub or condition
    page as it is now: what tests that read reader pages need after changing one."""
    obj.refresh_from_db()
    review_workflow.record_review(obj, reviewer_name="Test Reviewer, MD")
    review_workflow.publish(obj, at=at)
    return obj


def _publish_unless_asked_not(obj, create, extracted, **kwargs):
    if create and extracted is not False:
        publish_reviewed(obj)


def _republish_drug(row, create, extracted, **kwargs):
    """A brand, formulation or use added to a published hub: the hub as tests read it."""
    if create and Drug.objects.filter(pk=row.drug_id, published__isnull=False).exists():
        publish_reviewed(row.drug)


class ConditionFactory(DjangoModelFactory):
    """A condition, published as reviewed unless ``published=False``."""

    class Meta:
        model = Condition
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")
    summary = "A condition used in tests."
    published = factory.PostGeneration(_publish_unless_asked_not)


class DrugFactory(DjangoModelFactory):
    """A drug, its hub published as reviewed unless ``published=False``."""

    class Meta:
        model = Drug
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testdrug{n}")
    slug = factory.Sequence(lambda n: f"testdrug{n}")
    drug_class = "Test class"
    summary = "A drug used in tests."
    mechanism = "It works in a test way."
    published = factory.PostGeneration(_publish_unless_asked_not)


class BrandNameFactory(DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = BrandName

    drug = factory.SubFactory(DrugFactory)
    name = factory.Sequence(lambda n: f"Brand{n}")
    mark = "®"
    hub = factory.PostGeneration(_republish_drug)


class FormulationFactory(DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Formulation

    drug = factory.SubFactory(DrugFactory)
    name = factory.Sequence(lambda n: f"Form {n}")
    route = "oral"
    strengths = factory.LazyFunction(lambda: ["5 mg", "10 mg"])
    hub = factory.PostGeneration(_republish_drug)


class IndicationFactory(DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Indication

    drug = factory.SubFactory(DrugFactory)
    condition = factory.SubFactory(ConditionFactory)
    details = ""
    off_label = False
    hub = factory.PostGeneration(_republish_drug)


class ArticleFactory(DjangoModelFactory):
    """A visible (reviewed, then published, due) article unless told otherwise.

    It goes through the real workflow: with ``reviewed_on`` set the review is recorded
    for the text; with ``status="published"`` and a review, it is published at
    ``published_at`` (a future time schedules it). Without a review a "published"
    article stays unpublished, as the gate demands.
    """

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Test article {n}")
    slug = factory.Sequence(lambda n: f"test-article-{n}")
    drug = factory.SubFactory(DrugFactory)
    lead = "A short answer."
    body = "## One\n\nText.\n"
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    reviewed_by = "Jane Doe, MD"
    reviewed_on = factory.LazyFunction(lambda: timezone.now().date() - datetime.timedelta(days=2))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from articles import workflow

        status = kwargs.pop("status", Status.PUBLISHED)
        published_at = kwargs.pop("published_at", None)
        reviewed_by = kwargs.pop("reviewed_by", "")
        reviewed_on = kwargs.pop("reviewed_on", None)
        article = model_class(*args, status=Status.DRAFT, **kwargs)
        article.save()
        if reviewed_on:
            workflow.record_review(article, reviewer_name=reviewed_by, reviewed_on=reviewed_on)
        if status == Status.PUBLISHED and reviewed_on:
            workflow.publish(article, at=published_at)
        elif status != Status.DRAFT:
            article.status = status
            article.published_at = published_at
            article.save()
        return article


class SitePageFactory(DjangoModelFactory):
    """A site page, published unless ``published=False`` (no review: a Publisher's step)."""

    class Meta:
        model = SitePage
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    body = "Some text."
    published = factory.PostGeneration(
        lambda page, create, extracted, **kwargs: (
            review_workflow.publish(page) if create and extracted is not False else None
        )
    )
