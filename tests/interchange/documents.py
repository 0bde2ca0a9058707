"""Small valid interchange documents for the tests to break one field at a time."""

import copy
import json

BASE = {
    "format": "medinfo-content",
    "version": 1,
    "site": {
        "name": "MedInfo",
        "owner": "Example Health, Inc.",
        "copyright_start_year": 2006,
        "disclaimer": "Informational only; ask your own physician.",
    },
    "conditions": [
        {"slug": "spasticity", "name": "Spasticity", "summary": "Tight muscles."},
        {"name": "Chronic hiccups"},
    ],
    "drugs": [
        {
            "slug": "baclofen",
            "name": "Baclofen",
            "brand_names": ["Lioresal®", "Gablofen®"],
            "drug_class": "Skeletal muscle relaxant",
            "availability": "prescription",
            "summary": "A muscle relaxant.",
            "mechanism": "Similar to GABA.",
            "formulations": [
                {
                    "name": "Tablet",
                    "route": "oral",
                    "strengths": ["5 mg", "10 mg"],
                    "brand_names": ["Lioresal®"],
                },
                {"name": "Intrathecal injection", "route": "intrathecal"},
            ],
            "indications": [
                {
                    "condition": "spasticity",
                    "details": "due to multiple sclerosis",
                    "formulations": ["Tablet"],
                }
            ],
            "off_label_uses": [{"condition": "chronic-hiccups", "details": ""}],
            "status": "published",
            "published_at": "2026-10-01T09:00:00Z",
            "reviewed_by": "Jane Doe, MD",
            "reviewed_on": "2026-09-30",
        },
        {"slug": "tizanidine", "name": "Tizanidine", "formulations": [{"name": "Capsule"}]},
    ],
    "articles": [
        {
            "slug": "baclofen-uses",
            "title": "What Is Baclofen Used For?",
            "drug": "baclofen",
            "summary": "For spasticity.",
            "body": "## Uses\n\nSee [how it works](article:how-does-baclofen-work).\n",
            "status": "published",
            "published_at": "2026-11-01T09:00:00Z",
            "reviewed_by": "Jane Doe, MD",
            "reviewed_on": "2026-10-30",
        },
        {"title": "How Does Baclofen Work?", "drug": "baclofen", "body": "## GABA\n"},
    ],
    "pages": [{"slug": "terms", "title": "Terms of Use", "body": "Be nice."}],
}


def document() -> dict:
    return copy.deepcopy(BASE)


def encode(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()
