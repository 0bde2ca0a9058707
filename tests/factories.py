"""factory_boy factories for every model the tests build."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from articles.models import Article, SitePage, Status
from drugs.models import BrandName, Condition, Drug, Formulation, Indication


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class ConditionFactory(DjangoModelFactory):
    class Meta:
        model = Condition

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")
    summary = "A condition used in tests."


class DrugFactory(DjangoModelFactory):
    class Meta:
        model = Drug

    name = factory.Sequence(lambda n: f"Testdrug{n}")
    slug = factory.Sequence(lambda n: f"testdrug{n}")
    drug_class = "Test class"
    summary = "A drug used in tests."
    mechanism = "It works in a test way."


class BrandNameFactory(DjangoModelFactory):
    class Meta:
        model = BrandName

    drug = factory.SubFactory(DrugFactory)
    name = factory.Sequence(lambda n: f"Brand{n}")
    mark = "®"


class FormulationFactory(DjangoModelFactory):
    class Meta:
        model = Formulation

    drug = factory.SubFactory(DrugFactory)
    name = factory.Sequence(lambda n: f"Form {n}")
    route = "oral"
    strengths = factory.LazyFunction(lambda: ["5 mg", "10 mg"])


class IndicationFactory(DjangoModelFactory):
    class Meta:
        model = Indication

    drug = factory.SubFactory(DrugFactory)
    condition = factory.SubFactory(ConditionFactory)
    details = ""
    off_label = False


class ArticleFactory(DjangoModelFactory):
    """A visible (published, reviewed, due) article unless told otherwise."""

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


class SitePageFactory(DjangoModelFactory):
    class Meta:
        model = SitePage

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    body = "Some text."
