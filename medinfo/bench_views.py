"""A constant page for `make bench`: Django's own cost, to read each reader page's figure against.

It answers the same ~18 KB of HTML to everyone, through the whole middleware stack but
without a template, a query or a cache (it is not marked public, so the page cache passes
it by), so a page's req/s divided by this one's is the share of the ceiling that page
reaches. Routed only when MEDINFO_BENCH=1 (medinfo/urls.py): real servers never have it.
"""

import os

from django.http import HttpResponse

ENV_SWITCH = "MEDINFO_BENCH"
PARAGRAPH = (
    "<p>Constant text of about the size of an article page, the same for every request, "
    "so that only Django and its middleware are measured.</p>\n"
)
CONSTANT_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>Constant | MedInfo bench</title></head><body><main>\n"
    + PARAGRAPH * 130
    + "</main></body></html>\n"
).encode()


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip() == "1"


def constant(request):
    return HttpResponse(CONSTANT_PAGE, content_type="text/html; charset=utf-8")
