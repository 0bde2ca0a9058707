"""Search prerequisites: pg_trgm (suggestions), unaccent, and the english_unaccent
configuration (English stemming with accents folded). A text search configuration is
immutable, so generated tsvector columns can use it where unaccent() itself cannot."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

CREATE_CONFIG = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'english_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION english_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("drugs", "0002_same_drug_triggers")]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(
            CREATE_CONFIG, "DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent;"
        ),
    ]
