"""Ranked search over drugs, articles and conditions, on PostgreSQL full text search."""

import nh3


def html_to_text(html: str) -> str:
    """The readable text of stored HTML, for search vectors and snippets."""
    return " ".join(nh3.clean(html, tags=set()).split()) if html else ""
