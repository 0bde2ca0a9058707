"""Realistic synthetic drugs and articles, for benchmarks and scale tests.

Deterministic for a given seed. Rows are written with ``bulk_create`` in batches, and
the Markdown goes through the same ``render_markdown`` as editors' content (bodies
carry no internal links, so rendering needs no database). Search vectors are
generated columns, so PostgreSQL indexes everything as it is inserted.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, PublishedArticle, Status
from articles.workflow import build_published_copy
from content.markup import html_to_text, render_markdown
from content.publishing import fingerprint
from drugs.models import (
    Availability,
    BrandName,
    Condition,
    Drug,
    Indication,
    PublishedBrandName,
    PublishedCondition,
    PublishedDrug,
)

SYNTHETIC_MARK = "synthetic"  # every generated drug's drug_class ends with this word
BATCH = 1000

_ONSETS = ["b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "cl",
           "dr", "fl", "pr", "tr", "qu", "x"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "y", "ae", "io"]
_SUFFIXES = ["fen", "pril", "olol", "statin", "mab", "azole", "cillin", "dine", "pam", "tide",
             "vir", "xetine", "lukast", "sartan", "profen", "micin", "tinib", "zepam"]  # fmt: skip
_CLASSES = ["Skeletal muscle relaxant", "ACE inhibitor", "Beta blocker", "Statin",
            "Monoclonal antibody", "Antifungal", "Antibiotic", "Antihistamine",
            "Benzodiazepine", "Antiviral", "SSRI antidepressant", "Leukotriene antagonist",
            "Angiotensin receptor blocker", "NSAID", "Kinase inhibitor",
            "Anticonvulsant"]  # fmt: skip
_CONDITIONS = ["Spasticity", "Hypertension", "Heart failure", "High cholesterol", "Asthma",
               "Migraine", "Epilepsy", "Depression", "Anxiety", "Insomnia", "Allergic rhinitis",
               "Psoriasis", "Rheumatoid arthritis", "Osteoarthritis", "Type 2 diabetes",
               "Chronic hiccups", "Bladder spasms", "Acne", "Gout", "Nausea", "Back pain",
               "Neuropathic pain", "Fungal infection", "Urinary tract infection", "Influenza",
               "Shingles", "Angina", "Atrial fibrillation", "Glaucoma",
               "Hypothyroidism"]  # fmt: skip
_TOPICS = [
    ("What Is {d}?", "overview"), ("What Is {d} Used For?", "uses"),
    ("{d} Dosage", "dosage"), ("{d} Side Effects", "side effects"),
    ("How Does {d} Work?", "mechanism"), ("{d} Warnings and Precautions", "warnings"),
    ("{d} Drug Interactions", "interactions"), ("{d} and Pregnancy", "pregnancy"),
    ("{d} Overdose", "overdose"), ("Storing {d} Safely", "storage"),
    ("Missing a Dose of {d}", "missed dose"), ("{d} for Older Adults", "older adults"),
]  # fmt: skip
_SENTENCES = [
    "{d} is usually taken {freq} with or without food.",
    "Your doctor may start with a low dose of {d} and increase it slowly.",
    "Common side effects include {s1}, {s2} and {s3}.",
    "Tell your healthcare provider if you notice {s1} that does not go away.",
    "Do not stop taking {d} suddenly, because symptoms can come back.",
    "{d} can interact with {other}, so tell your pharmacist about every medicine you take.",
    "People with {cond} may need a different dose of {d}.",
    "Keep {d} at room temperature, away from moisture and out of reach of children.",
    "If you miss a dose, take it as soon as you remember unless the next dose is near.",
    "Alcohol can make {s1} worse while you take {d}.",
    "{d} belongs to a group of medicines called {cls}.",
    "Studies show that {d} helps most patients with {cond} within a few weeks.",
    "Your pharmacist can explain how to measure each dose of the oral solution.",
    "Serious reactions are rare, but seek help at once if you have {s4}.",
]  # fmt: skip
_SYMPTOMS = ["drowsiness", "dizziness", "nausea", "headache", "dry mouth", "fatigue",
             "constipation", "weakness", "insomnia", "rash", "blurred vision", "confusion",
             "muscle pain", "diarrhea", "sweating", "tremor"]  # fmt: skip
_SERIOUS = ["trouble breathing", "swelling of the face", "chest pain", "fainting",
            "a seizure", "severe skin blisters"]  # fmt: skip
_FREQ = ["once a day", "twice a day", "three times a day", "every evening", "every morning"]
_RARE_WORDS = ["zymurgy", "quixotic", "borborygmus", "petrichor", "sesquipedalian"]


@dataclass
class GenerationReport:
    drugs: int
    brands: int
    conditions: int
    articles: int
    seconds: float


def drug_names(rng: random.Random, count: int) -> Iterator[str]:
    seen: set[str] = set()
    while len(seen) < count:
        syllables = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(1, 2))
        )
        name = (syllables + rng.choice(_SUFFIXES)).capitalize()
        if name not in seen:
            seen.add(name)
            yield name


def _paragraph(rng: random.Random, drug: Drug, other: str, condition: str) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        template = rng.choice(_SENTENCES)
        s1, s2, s3 = rng.sample(_SYMPTOMS, 3)
        sentences.append(
            template.format(
                d=drug.name, freq=rng.choice(_FREQ), s1=s1, s2=s2, s3=s3,
                s4=rng.choice(_SERIOUS), other=other, cond=condition.lower(),
                cls=drug.drug_class.removesuffix(SYNTHETIC_MARK).strip().lower(),
            )
        )  # fmt: skip
    if rng.random() < 0.002:
        sentences.append(f"Some call this {rng.choice(_RARE_WORDS)}.")
    return " ".join(sentences)


def _body(rng: random.Random, drug: Drug, topic: str, others: list[str], conditions: list[str]):
    sections = [f"{topic.capitalize()} at a glance", "What to know", "When to call your doctor"]
    parts = []
    for heading in sections[: rng.randint(2, 3)]:
        parts.append(f"## {heading}")
        for _ in range(rng.randint(1, 3)):
            parts.append(_paragraph(rng, drug, rng.choice(others), rng.choice(conditions)))
    return "\n\n".join(parts) + "\n"


def _insert_published(articles: list[Article]) -> None:
    """Generated articles count as reviewed: inserted with their published copies."""
    Article.objects.bulk_create(articles)
    PublishedArticle.objects.bulk_create(
        [build_published_copy(article, article.published_at) for article in articles]
    )


def _publish(conditions, drugs, brands, treats, *, now) -> None:
    """Generated hubs and conditions count as reviewed: their published copies, in bulk.

    Each document is built as ``Drug.review_document`` builds it, so the working copy's
    review and the published copy's fingerprint match what the admin computes.
    """
    labels = dict(Availability.choices)
    review = {"reviewed_by": "Synthetic Reviewer, MD", "reviewed_on": now.date()}
    copies, brand_rows = [], []
    for drug, names in zip(drugs, brands, strict=True):
        condition = treats[drug.pk]
        document = {
            "name": drug.name, "drug_class": drug.drug_class,
            "availability": labels[drug.availability], "summary": drug.summary,
            "brands": [{"name": name, "mark": "®"} for name in sorted(names)],
            "formulations": [],
            "approved_uses": [{"condition": condition.name, "condition_id": condition.pk,
                               "details": "", "formulations": []}],
            "off_label_uses": [], "mechanism": drug.mechanism,
        }  # fmt: skip
        drug.reviewed_hash = fingerprint(document)
        copy = PublishedDrug(
            drug=drug, slug=drug.slug, document=document, fingerprint=drug.reviewed_hash,
            published_at=now, text_since=now, **review,
        )  # fmt: skip
        copy.fill_from(document)
        copies.append(copy)
        brand_rows += [PublishedBrandName(published_drug=copy, name=n, mark="®") for n in names]
    for drug in drugs:
        drug.reviewed_by, drug.reviewed_on = review["reviewed_by"], review["reviewed_on"]
    Drug.objects.bulk_update(drugs, ["reviewed_hash", "reviewed_by", "reviewed_on"], BATCH)
    PublishedDrug.objects.bulk_create(copies, batch_size=BATCH)
    PublishedBrandName.objects.bulk_create(brand_rows, batch_size=BATCH)
    condition_copies = []
    for condition in conditions:
        document = {"name": condition.name, "summary": condition.summary}
        condition.reviewed_hash = fingerprint(document)
        condition.reviewed_by, condition.reviewed_on = review["reviewed_by"], review["reviewed_on"]
        copy = PublishedCondition(
            condition=condition, slug=condition.slug, document=document,
            fingerprint=condition.reviewed_hash, published_at=now, text_since=now, **review,
        )  # fmt: skip
        copy.fill_from(document)
        condition_copies.append(copy)
    Condition.objects.bulk_update(conditions, ["reviewed_hash", "reviewed_by", "reviewed_on"])
    PublishedCondition.objects.bulk_create(condition_copies, batch_size=BATCH)


@transaction.atomic
def generate(
    *, drugs: int, articles: int, seed: int = 1, progress: Callable[[int], None] | None = None
) -> GenerationReport:
    start = timezone.now()
    rng = random.Random(seed)
    conditions = [
        Condition(name=name, slug=slugify(name), summary=f"{name}: a common condition.")
        for name in _CONDITIONS
        if not Condition.objects.filter(slug=slugify(name)).exists()
    ]
    Condition.objects.bulk_create(conditions, batch_size=BATCH)
    condition_rows = list(Condition.objects.all())
    condition_names = [c.name for c in condition_rows]

    drug_rows, brand_rows = [], []
    for name in drug_names(rng, drugs):
        brands = [f"{name[:4].capitalize()}{rng.choice(['ex', 'ol', 'ia', 'an', 'ix'])}{i}"
                  for i in range(rng.randint(1, 2))]  # fmt: skip
        drug_class = f"{rng.choice(_CLASSES)} {SYNTHETIC_MARK}"
        drug_rows.append(
            Drug(
                name=name, slug=slugify(name), drug_class=drug_class,
                availability=rng.choice(list(Availability)),
                summary=f"{name} is a {drug_class.lower()} medicine.",
                brand_names_text=" ".join(brands),
            )
        )  # fmt: skip
        brand_rows.append(brands)
    Drug.objects.bulk_create(drug_rows, batch_size=BATCH)
    pairs = zip(drug_rows, brand_rows, strict=True)
    BrandName.objects.bulk_create(
        [BrandName(drug=d, name=b, mark="®") for d, brands in pairs for b in brands],
        batch_size=BATCH,
    )
    treats = {d.pk: rng.choice(condition_rows) for d in drug_rows}
    Indication.objects.bulk_create(
        [Indication(drug=d, condition=treats[d.pk], details="") for d in drug_rows],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    _publish(conditions, drug_rows, brand_rows, treats, now=start)

    now = timezone.now()
    names = [d.name for d in drug_rows]
    written, batch = 0, []
    for index in range(articles):
        drug = drug_rows[index % len(drug_rows)]
        title_template, topic = _TOPICS[(index // len(drug_rows)) % len(_TOPICS)]
        title = title_template.format(d=drug.name)
        body = _body(rng, drug, topic, names, condition_names)
        rendered = render_markdown(body)
        published = now - datetime.timedelta(days=rng.randint(1, 900), minutes=index % 1440)
        article = Article(
            title=title, slug=f"{slugify(title)}-{index}", drug=drug,
            lead=f"{title} Here is a short answer about {topic} for patients.",
            body=body, body_html=rendered.html, body_text=html_to_text(rendered.html),
            toc=rendered.toc, series_position=(index // len(drug_rows)) % len(_TOPICS),
            status=Status.PUBLISHED, published_at=published,
            reviewed_by="Synthetic Reviewer, MD", reviewed_on=published.date(),
        )  # fmt: skip
        article.reviewed_hash = article.text_hash()
        batch.append(article)
        if len(batch) >= BATCH:
            _insert_published(batch)
            written += len(batch)
            batch = []
            if progress:
                progress(written)
    _insert_published(batch)
    written += len(batch)
    if progress:
        progress(written)
    return GenerationReport(
        drugs=len(drug_rows),
        brands=sum(len(b) for b in brand_rows),
        conditions=len(conditions),
        articles=written,
        seconds=(timezone.now() - start).total_seconds(),
    )
