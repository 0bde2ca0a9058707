"""The demo site, kept as an interchange document and loaded through the importer."""

from pathlib import Path

from interchange.importer import ImportResult, import_content

DEMO_FILE = Path(__file__).with_name("medinfo-demo.json")


def seed_demo() -> ImportResult:
    return import_content(DEMO_FILE.read_bytes())
