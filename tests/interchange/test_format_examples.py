"""The examples people copy from: DESIGN.md section 5 and docs/interchange-format.md."""

import re
from pathlib import Path

from articles.models import Article
from drugs.models import Condition, Drug
from interchange.importer import import_content

DOCS = Path(__file__).resolve().parents[2] / "docs" / "interchange-format.md"

# DESIGN.md section 5, verbatim.
DESIGN_EXAMPLE = """
{
  "format": "medinfo-content",
  "version": 1,
  "site": {"name": "MedInfo", "owner": "Example Health, Inc.",
           "copyright_start_year": 2006, "disclaimer": "..."},
  "conditions": [
    {"slug": "spasticity", "name": "Spasticity", "summary": "..."}
  ],
  "drugs": [
    {
      "slug": "baclofen",
      "name": "Baclofen",
      "brand_names": ["Lioresal®", "Gablofen®"],
      "drug_class": "Skeletal muscle relaxant",
      "availability": "prescription",
      "summary": "...",
      "mechanism": "Markdown ...",
      "formulations": [
        {"name": "Tablet", "route": "oral", "strengths": ["5 mg", "10 mg", "20 mg"],
         "brand_names": ["Lioresal®"]}
      ],
      "indications": [
        {"condition": "spasticity",
         "details": "due to multiple sclerosis or spinal cord injury or disease",
         "formulations": ["Tablet"]}
      ],
      "off_label_uses": [
        {"condition": "chronic-hiccups", "details": ""}
      ]
    }
  ],
  "articles": [
    {
      "slug": "baclofen-uses",
      "title": "What Is Baclofen Used For?",
      "drug": "baclofen",
      "summary": "...",
      "body": "Markdown ...",
      "status": "published",
      "published_at": "2026-11-01T09:00:00Z",
      "reviewed_by": "Jane Doe, MD",
      "reviewed_on": "2026-10-30"
    }
  ],
  "pages": [
    {"slug": "terms", "title": "Terms of Use", "body": "Markdown ..."}
  ]
}
"""


def test_design_example_imports_once_its_off_label_condition_exists(db):
    Condition.objects.create(slug="chronic-hiccups", name="Chronic hiccups")

    result = import_content(DESIGN_EXAMPLE.encode())

    assert result.ok, [str(e) for e in result.errors]
    assert Drug.objects.get().indications.off_label().get().condition.slug == "chronic-hiccups"
    assert Article.objects.get().lead == "..."


def test_the_example_in_the_format_document_imports(db):
    example = DOCS.read_text(encoding="utf-8").split("## Example", 1)[1]
    block = re.search(r"```json\n(.*?)```", example, re.DOTALL).group(1)

    result = import_content(block.encode())

    assert result.ok, [str(e) for e in result.errors]
    assert result.total.created == 4
