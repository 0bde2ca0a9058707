"""Database triggers that bump the content version when anything readers may see changes.

Every table of the content apps gets a deferred constraint trigger: it runs at COMMIT, once
per transaction (it remembers the statement it ran in), and adds one to
``pagecache_contentversion.counter``. So

- the new counter becomes visible in the same instant as the content it stands for, and a
  page rendered from old rows can only ever be stored under the old version;
- the counter row is locked only for the moment of the commit, so a long import does not
  make editors' saves wait, and two writers never deadlock on it;
- bulk writes, raw SQL and imports are covered, which signals would miss.

Working copies are watched too: an editor's save costs a cache refresh, which keeps the rule
simple (no list of "what readers see" to keep in step with the templates).
"""

from django.apps import apps
from django.db import connections

WATCHED_APPS = ("content", "drugs", "articles")
TRIGGER = "pagecache_content_changed"

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION pagecache_bump_version() RETURNS trigger AS $$
BEGIN
    -- Deferred, all of a transaction's events fire during its COMMIT, one statement:
    -- bump once. Set IMMEDIATE (the test suite, whose transactions never commit), each
    -- writing statement bumps once.
    IF current_setting('pagecache.bumped_at', true) IS DISTINCT FROM statement_timestamp()::text
    THEN
        PERFORM set_config('pagecache.bumped_at', statement_timestamp()::text, true);
        INSERT INTO pagecache_contentversion (id, counter) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET counter = pagecache_contentversion.counter + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def watched_tables() -> list[str]:
    """The tables of the content apps, many-to-many tables included (the ones that exist
    yet: a database migrated to an older state lacks some)."""
    tables = []
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.proxy and model._meta.managed:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def install(using: str = "default") -> int:
    """(Re)create the function and one trigger per watched table; returns the table count."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [table for table in watched_tables() if table in existing]
    with connection.cursor() as cursor:
        cursor.execute(BUMP_FUNCTION)
        for table in tables:
            cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                "EXECUTE FUNCTION pagecache_bump_version()"
            )
    return len(tables)


def install_after_migrate(sender, using="default", **kwargs):
    """After every ``migrate``: tables added by a new migration get their trigger too."""
    install(using)
