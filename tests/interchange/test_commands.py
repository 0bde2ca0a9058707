"""The three commands: thin wrappers that print one summary line and fail loudly."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, SitePage, SiteSettings
from drugs.models import Condition, Drug
from interchange.demo import seed_demo
from interchange.importer import import_content
from interchange.progress import terminal_progress
from tests.interchange.documents import document, encode


def test_import_content_prints_the_summary(db, tmp_path, capsys):
    path = tmp_path / "site.json"
    path.write_bytes(encode(document()))

    call_command("import_content", str(path))

    out = capsys.readouterr().out
    assert out.startswith("site.json: 8 created, 0 updated, 0 unchanged, 0 errors (site 1 created")
    assert Drug.objects.count() == 2


def test_import_content_dry_run_writes_nothing(db, tmp_path, capsys):
    path = tmp_path / "site.json"
    path.write_bytes(encode(document()))

    call_command("import_content", str(path), "--dry-run")

    assert "Dry run, nothing written: 8 created" in capsys.readouterr().out
    assert not Drug.objects.exists()


def test_import_content_lists_every_error_and_exits_non_zero(db, tmp_path, capsys):
    doc = document()
    doc["drugs"][0]["availability"] = "pharmacy"
    doc["pages"][0]["title"] = ""
    path = tmp_path / "bad.json"
    path.write_bytes(encode(doc))

    with pytest.raises(CommandError, match="2 errors: nothing written"):
        call_command("import_content", str(path))

    err = capsys.readouterr().err.splitlines()
    assert err == [
        'drugs[0] (slug "baclofen"): availability: \'pharmacy\' is not one of "prescription", '
        '"over-the-counter"',
        'pages[0] (slug "terms"): title: must not be empty',
    ]
    assert not Condition.objects.exists()


def test_import_content_of_a_missing_file_fails_clearly(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read .*nothing.json"):
        call_command("import_content", str(tmp_path / "nothing.json"))


def test_export_content_writes_utf8_with_a_final_newline(db, tmp_path):
    seed_demo()
    path = tmp_path / "out.json"

    call_command("export_content", "-o", str(path))
    call_command("export_content", "-o", str(tmp_path / "again.json"))

    data = path.read_bytes()
    assert data == (tmp_path / "again.json").read_bytes()
    assert data.endswith(b"}\n") and "Lioresal®".encode() in data
    assert json.loads(data)["format"] == "medinfo-content"


def test_export_content_to_standard_output(db, capsys):
    seed_demo()

    call_command("export_content")

    assert json.loads(capsys.readouterr().out)["site"]["name"] == "MedInfo"


def test_export_of_one_drug_carries_its_articles_conditions_and_promoted_article(db, capsys):
    seed_demo()

    call_command("export_content", "--drug", "baclofen")
    exported = capsys.readouterr().out

    doc = json.loads(exported)
    assert set(doc) == {"format", "version", "conditions", "drugs", "articles"}
    assert [d["slug"] for d in doc["drugs"]] == ["baclofen"]
    assert {c["slug"] for c in doc["conditions"]} == {
        "spasticity", "bladder-spasms", "chronic-hiccups", "alcohol-use-disorder",
    }  # fmt: skip
    slugs = {a["slug"] for a in doc["articles"]}
    assert "what-is-tizanidine" not in slugs
    assert "how-to-prepare-your-kitchen-for-eating-well-during-cancer-treatment" in slugs
    for model in (Article, Drug, Condition, SitePage, SiteSettings):
        model.objects.all().delete()
    assert import_content(exported.encode()).ok
    call_command("export_content", "--drug", "baclofen")
    assert capsys.readouterr().out == exported


def test_export_of_an_unknown_drug_fails(db):
    with pytest.raises(CommandError, match='no drug with slug "nope"'):
        call_command("export_content", "--drug", "nope")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_long_import_shows_progress_on_a_terminal_only(db):
    doc = {"format": "medinfo-content", "version": 1}
    doc["conditions"] = [{"name": f"Condition {n}"} for n in range(250)]
    terminal, pipe = Terminal(), io.StringIO()

    import_content(encode(doc), progress=terminal_progress(terminal))

    assert terminal.getvalue().endswith("\rWriting 250/250 (100%)\n")
    assert terminal_progress(pipe) is None
