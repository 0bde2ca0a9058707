"""A published drug hub as its page shows it: the reviewed document in plain objects.

The hub's medical facts come only from ``PublishedDrug.document``, the text a medical
reviewer vouched for. Conditions are linked as they are published now (a condition page
taken down leaves its name as plain text), found in one query for the whole page.
"""

from dataclasses import dataclass, field

from drugs.models import PublishedCondition, PublishedDrug

PRESCRIPTION_ONLY = "Prescription only"


@dataclass(frozen=True)
class Brand:
    name: str
    mark: str = ""

    def __str__(self):
        return f"{self.name}{self.mark}"


@dataclass(frozen=True)
class Formulation:
    name: str
    route: str
    strengths: list[str]
    brands: list[Brand]


@dataclass(frozen=True)
class ConditionLink:
    """A condition named by a use; ``url`` is empty while readers cannot see its page."""

    pk: int
    name: str
    url: str = ""

    def get_absolute_url(self) -> str:
        return self.url


@dataclass(frozen=True)
class Use:
    drug: PublishedDrug
    condition: ConditionLink
    details: str
    off_label: bool
    formulations: list[str] = field(default_factory=list)

    @property
    def condition_id(self) -> int:
        return self.condition.pk


@dataclass(frozen=True)
class Hub:
    drug: PublishedDrug
    brands: list[Brand]
    formulations: list[Formulation]
    approved_uses: list[Use]
    off_label_uses: list[Use]

    @property
    def availability(self) -> str:
        return self.drug.document["availability"]

    @property
    def prescription_only(self) -> bool:
        return self.availability == PRESCRIPTION_ONLY


def brands_of(items: list[dict]) -> list[Brand]:
    return [Brand(item["name"], item.get("mark", "")) for item in items]


def condition_links(ids) -> dict[int, ConditionLink]:
    """The published conditions among ids, by id: one query (none when there are none)."""
    ids = set(ids)
    if not ids:
        return {}
    rows = PublishedCondition.objects.visible().filter(pk__in=ids).only("slug", "name")
    return {row.pk: ConditionLink(row.pk, row.name, row.get_absolute_url()) for row in rows}


def uses_of(drug: PublishedDrug, conditions: dict[int, ConditionLink]) -> list[Use]:
    """The drug's uses, approved first, each with its condition as readers may see it."""
    document = drug.document
    found = []
    for off_label, key in ((False, "approved_uses"), (True, "off_label_uses")):
        for use in document[key]:
            condition = conditions.get(use["condition_id"]) or ConditionLink(
                use["condition_id"], use["condition"]
            )
            found.append(
                Use(drug, condition, use["details"], off_label, use.get("formulations", []))
            )
    return found


def hub_of(drug: PublishedDrug) -> Hub:
    document = drug.document
    uses = uses_of(drug, condition_links(drug.condition_ids))
    return Hub(
        drug=drug,
        brands=brands_of(document["brands"]),
        formulations=[
            Formulation(f["name"], f["route"], f["strengths"], brands_of(f["brands"]))
            for f in document["formulations"]
        ],
        approved_uses=[use for use in uses if not use.off_label],
        off_label_uses=[use for use in uses if use.off_label],
    )
