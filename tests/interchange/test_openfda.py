"""import_openfda: FDA labels become a drug and draft articles; newer labels update drafts."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import workflow
from articles.models import Article, PublishedArticle, Status
from drugs.models import Availability, Drug
from interchange.label_import import import_openfda
from interchange.label_text import brand_name, clean_section, markdown_table, table_rows
from interchange.models import DrugLabel, LabelSection

FIXTURES = Path(__file__).with_name("fixtures")
V1 = (FIXTURES / "openfda-baclofen-v1.json").read_bytes()
V2 = (FIXTURES / "openfda-baclofen-v2.json").read_bytes()
SAMPLE = Path("/work/shared/samples/openfda-label-childrens-tylenol.json")
SET_ID = "7d1e3c2a-0000-4b6e-9c1a-medinfo0001"


def record(data: bytes = V1, index: int = 0) -> dict:
    return json.loads(data)["results"][index]


def imported(data: bytes):
    result = import_openfda(data)
    assert result.ok, result.errors
    return result


def test_the_real_sample_imports_as_an_otc_drug_with_draft_articles(db):
    result = imported(SAMPLE.read_bytes())

    drug = Drug.objects.get(slug="acetaminophen")
    assert result.reports[0].action == "created"
    assert drug.name == "Acetaminophen"
    assert drug.availability == Availability.OVER_THE_COUNTER
    assert [str(b) for b in drug.brand_names.all()] == ["Childrens Tylenol"]
    assert drug.brand_names_text == "Childrens Tylenol"
    form = drug.formulations.get()
    assert (form.name, form.route, form.strengths) == ("Oral suspension", "oral", ["160 mg/5 mL"])
    label = DrugLabel.objects.get(set_id="3162733b-9382-39f1-e063-6294a90ac420")
    assert label.effective_time.isoformat() == "2026-06-12"
    dosage = Article.objects.get(label_sections__field="dosage_and_administration")
    assert "| Weight (lb) | Age (yr) | Dose (mL)* |" in dosage.body
    assert "<table>" in dosage.body_html
    assert "- shake well before using" in dosage.body
    uses = Article.objects.get(label_sections__loinc="34067-9")
    assert uses.body.startswith("**Purpose:** Pain reliever/fever reducer")
    assert "Uses Uses" not in uses.body


def test_prescription_fixture_maps_every_section_with_its_loinc_code(db):
    imported(V1)

    drug = Drug.objects.get(slug="baclofen")
    assert drug.availability == Availability.PRESCRIPTION
    assert drug.drug_class == "gamma-Aminobutyric Acid-ergic Agonist"
    assert sorted(str(b) for b in drug.brand_names.all()) == [
        "Gablofen",
        "Lioresal®",
        "Ozobax DS",
    ]
    forms = {f.name: (f.route, f.strengths) for f in drug.formulations.all()}
    assert forms == {
        "Tablet": ("oral", ["5 mg", "10 mg", "20 mg"]),
        "Oral solution": ("oral", ["5 mg/5 mL"]),
        "Intrathecal injection": ("intrathecal", ["50 mcg/mL", "500 mcg/mL", "2,000 mcg/mL"]),
    }
    assert drug.mechanism == ""  # label text never reaches the hub: it becomes a draft
    how = Article.objects.get(label_sections__field="mechanism_of_action", drug__slug="baclofen")
    assert how.title == "How Does Baclofen Work?" and how.status == Status.DRAFT
    assert how.body.startswith("The precise mechanism of action of baclofen")
    codes = dict(LabelSection.objects.filter(label__set_id=SET_ID).values_list("field", "loinc"))
    assert codes == {
        "boxed_warning": "34066-1",
        "indications_and_usage": "34067-9",
        "dosage_and_administration": "34068-7",
        "contraindications": "34070-3",
        "warnings_and_cautions": "43685-7",
        "adverse_reactions": "34084-4",
        "drug_interactions": "34073-7",
        "mechanism_of_action": "43679-0",
    }
    assert Drug.objects.get(slug="tizanidine-hydrochloride").name == "Tizanidine hydrochloride"


def test_label_text_becomes_drafts_that_readers_never_see(db, client):
    imported(V1)

    articles = Article.objects.filter(drug__slug="baclofen")
    assert articles.count() == 8
    assert set(articles.values_list("status", flat=True)) == {Status.DRAFT}
    assert not PublishedArticle.objects.visible().exists()
    boxed = articles.get(label_sections__field="boxed_warning")
    assert client.get(f"/drugs/baclofen/{boxed.slug}/").status_code == 404
    with pytest.raises(workflow.WorkflowError):
        workflow.publish(boxed)
    # The drug the label created is a working copy: no hub, no A–Z entry, not searchable.
    assert client.get("/drugs/baclofen/").status_code == 404
    assert b"/drugs/baclofen/" not in client.get("/drugs/").content
    assert b"/drugs/baclofen/" not in client.get("/search/?q=baclofen").content


def test_cleaning_strips_numbers_doubled_headings_and_shouting(db):
    imported(V1)

    baclofen = Article.objects.filter(drug__slug="baclofen")
    uses = baclofen.get(label_sections__field="indications_and_usage").body
    assert uses.startswith("Baclofen tablets are indicated for the treatment of spasticity")
    assert "INDICATIONS" not in uses and "1.1" not in uses
    assert "\n\nLimitations of Use Baclofen is not indicated" in uses
    interactions = baclofen.get(label_sections__field="drug_interactions").body
    assert interactions == "CNS depressants and alcohol may add to the CNS effects of baclofen.\n"


def test_bullets_become_list_items_and_html_tables_plain_sanitised_tables(db):
    imported(V1)

    dosage = Article.objects.get(label_sections__field="dosage_and_administration")
    assert "- Start with 5 mg three times a day\n- Increase by 5 mg" in dosage.body
    assert "| Days | Dose |\n| --- | --- |\n| 1-3 | 5 mg TID |" in dosage.body
    assert "Days Dose 1-3" not in dosage.body  # the flattened copy gave way to the table
    assert "script" not in dosage.body_html and "onclick" not in dosage.body_html
    warnings = Article.objects.get(label_sections__field="warnings_and_cautions").body
    assert "- may impair the ability to drive\n- alcohol adds to it" in warnings


@pytest.mark.parametrize(
    "label, readable",
    [
        ("CHILDRENS TYLENOL", "Childrens Tylenol"),
        ("LIORESAL ®", "Lioresal®"),
        ("ADVIL PM", "Advil PM"),
        ("METFORMIN HCL ER", "Metformin HCl ER"),
        ("MUCINEX D", "Mucinex D"),
        ("ALKA-SELTZER PLUS", "Alka-Seltzer Plus"),
        ("B-12 1000", "B-12 1000"),
        ("EpiPen", "EpiPen"),
    ],
)
def test_brand_names_in_label_capitals_become_readable(label, readable):
    assert brand_name(label) == readable


def test_a_table_with_pipes_and_ragged_rows_stays_one_table():
    rows = table_rows("<table><tr><td>a|b</td><td>c</td></tr><tr><td>d</td></tr></table>")

    assert markdown_table(rows) == "| a\\|b | c |\n| --- | --- |\n| d |  |"


def test_a_label_heading_alone_cleans_to_nothing():
    assert clean_section("4 CONTRAINDICATIONS", ("Contraindications",)) == ""


@pytest.mark.parametrize("shape", ["envelope", "bare", "list", "jsonl"])
def test_each_input_shape_imports(db, shape):
    records = json.loads(V1)["results"]
    data = {
        "envelope": V1,
        "bare": json.dumps(records[0]).encode(),
        "list": json.dumps(records).encode(),
        "jsonl": b"\n".join(json.dumps(r).encode() for r in records) + b"\n",
    }[shape]

    result = imported(data)

    assert Drug.objects.filter(slug="baclofen").exists()
    assert len(result.reports) == (1 if shape == "bare" else 2)


def test_same_label_again_changes_nothing(db):
    imported(V1)
    before = list(Article.objects.values_list("slug", "body", "updated_at"))

    result = imported(V1)

    assert [r.action for r in result.reports] == ["unchanged", "unchanged"]
    assert list(Article.objects.values_list("slug", "body", "updated_at")) == before


def test_newer_label_updates_drafts_and_says_what_changed(db):
    imported(V1)

    report = imported(V2).reports[0]

    assert report.action == "updated"
    assert "newer label: 2024-01-15 -> 2025-03-01" in report.lines
    changed = [line for line in report.lines if line.startswith("changed:")]
    assert {line.split(" -> ")[0] for line in changed} == {
        "changed: contraindications (34070-3)",
        "changed: adverse_reactions (34084-4)",
        "changed: mechanism_of_action (43679-0)",
    }
    side_effects = Article.objects.get(label_sections__field="adverse_reactions")
    assert "nausea" in side_effects.body and side_effects.status == Status.DRAFT
    assert DrugLabel.objects.get(set_id=SET_ID).effective_time.isoformat() == "2025-03-01"
    how = Article.objects.get(label_sections__field="mechanism_of_action", drug__slug="baclofen")
    assert how.body.startswith("Baclofen is a GABA-B")


def test_newer_label_keeps_what_an_editor_rewrote(db):
    imported(V1)
    rewritten = Article.objects.get(label_sections__field="adverse_reactions")
    rewritten.body = "## Common side effects\n\nSleepiness and dizziness.\n"
    rewritten.save()
    how = Article.objects.get(label_sections__field="mechanism_of_action", drug__slug="baclofen")
    how.body = "Baclofen calms overactive nerve signals in the spinal cord."
    how.save()

    report = imported(V2).reports[0]

    assert "kept editor's text for adverse_reactions (34084-4)" in report.lines
    assert "kept editor's text for mechanism_of_action (43679-0)" in report.lines
    rewritten.refresh_from_db()
    assert rewritten.body == "## Common side effects\n\nSleepiness and dizziness.\n"
    assert Article.objects.get(pk=how.pk).body.startswith("Baclofen calms")
    contraindications = Article.objects.get(label_sections__field="contraindications")
    assert "any ingredient" in contraindications.body


def test_older_label_than_the_stored_one_is_skipped(db):
    imported(V2)
    baclofen = Article.objects.filter(drug__slug="baclofen").order_by("slug")
    before = list(baclofen.values_list("body", flat=True))

    report = imported(V1).reports[1]  # the tizanidine label comes first: it is older still

    assert report.action == "skipped"
    assert "older than the one already imported (2025-03-01)" in report.lines[0]
    assert list(baclofen.values_list("body", flat=True)) == before


def test_dry_run_writes_nothing(db):
    result = import_openfda(V1, dry_run=True)

    assert result.summary().startswith("Dry run, nothing written: 2 created")
    assert not Drug.objects.exists() and not DrugLabel.objects.exists()
    assert not Article.objects.exists()


MALFORMED = {
    "not JSON": (b'{"results": [', "document: the file is not valid JSON"),
    "record not an object": (b'{"results": ["x"]}', "results[0]: expected a label object"),
    "no set_id": (
        json.dumps({k: v for k, v in record().items() if k != "set_id"}).encode(),
        "record: set_id: is required",
    ),
    "bad effective_time": (
        json.dumps({**record(), "effective_time": "2024-01-15"}).encode(),
        f'record (set_id "{SET_ID}"): effective_time: expected a date YYYYMMDD',
    ),
    "no generic name": (
        json.dumps({**record(), "openfda": {"brand_name": ["X"]}}).encode(),
        f'record (set_id "{SET_ID}"): openfda.generic_name: is required',
    ),
    "section not text": (
        json.dumps({**record(), "boxed_warning": {"text": "x"}}).encode(),
        f'record (set_id "{SET_ID}"): boxed_warning: expected a list of strings, got an object',
    ),
    "NUL in text": (
        json.dumps({**record(), "contraindications": ["a\u0000b"]}).encode(),
        f'record (set_id "{SET_ID}"): contraindications[0]: contains a NUL character',
    ),
    "not a human drug": (
        json.dumps(
            {**record(), "openfda": {**record()["openfda"], "product_type": ["VACCINE"]}}
        ).encode(),
        "openfda.product_type: 'VACCINE' is not a human drug label",
    ),
}


@pytest.mark.parametrize("data, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_label_errors_name_record_and_field(db, data, expected):
    result = import_openfda(data)

    assert not result.ok
    assert any(expected in str(error) for error in result.errors), result.errors
    assert not Drug.objects.exists()


def test_one_bad_label_among_good_ones_writes_nothing(db):
    records = json.loads(V1)["results"]
    records[1]["effective_time"] = 2023

    result = import_openfda(json.dumps({"results": records}).encode())

    assert [str(e) for e in result.errors] == [
        'results[1] (set_id "7d1e3c2a-0000-4b6e-9c1a-medinfo0002"): effective_time: '
        "expected a date YYYYMMDD, got a number"
    ]
    assert not Drug.objects.exists()


def test_command_prints_changes_and_fails_cleanly_on_bad_input(db, tmp_path, capsys):
    call_command("import_openfda", str(FIXTURES / "openfda-baclofen-v1.json"))
    call_command("import_openfda", str(FIXTURES / "openfda-baclofen-v2.json"))
    out = capsys.readouterr().out
    assert "changed: adverse_reactions (34084-4)" in out
    assert out.rstrip().endswith("0 created, 1 updated, 0 unchanged, 0 skipped labels, 0 errors")

    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"results": [{"set_id": 5}]}')
    with pytest.raises(CommandError, match="errors: nothing written"):
        call_command("import_openfda", str(bad))
    assert "results[0]: set_id: expected a string, got a number" in capsys.readouterr().err
