"""Reader queries written as SQL, for the few that every reader page runs.

Building a query with the ORM (filters, joins, select_related) and compiling it costs
a reader page far more than PostgreSQL takes to answer it: ~1 ms of Python a query
against a fraction of that in the database. The hot reader queries (link targets,
Referring Pages, an article and its list of related articles, the footer) are written
once as SQL with parameters next to the code that reads their rows, and run here on the
connection the router picks for reads (a replica for reader requests,
medinfo/db_routing.py). Their visibility rule is the QuerySets' ``visible()``:
``published_at <= now``, with ``now`` passed in so tests can travel in time.
"""

import json

from django.db import connections, router


def fetch_rows(model, sql: str, params: dict) -> list[tuple]:
    """The rows of one query, on the read connection for ``model``."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def json_value(value):
    """A json or jsonb column as Python: Django has psycopg2 leave jsonb as text, for
    ``JSONField`` to decode."""
    return json.loads(value) if isinstance(value, str) else value
