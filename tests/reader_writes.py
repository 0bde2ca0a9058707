"""What a request wrote: reader requests must never write to the database."""

import re

_WRITE = re.compile(r"^[\s(]*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP)\b", re.I)


def writes(queries) -> list[str]:
    """The statements among captured queries that change the database."""
    return [q["sql"] for q in queries.captured_queries if _WRITE.match(q["sql"])]
