"""Project-level views: health check, robots.txt and the error pages.

The error pages carry the footer and disclaimer like every other page. The 500 and
503 pages must render even when the database is down, so they build their context
without running the context processors (which query it).
"""

import secrets
import sys

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache

from pages.context_processors import site_context

DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


@never_cache
def healthz(request):
    """503 when the database is down; the cache is optional: its outage shows in the body only."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    health = {"status": "ok", "database": "ok"}
    if not _cache_keeps_a_value():
        health["cache"] = "down"
    return JsonResponse(health)


def _cache_keeps_a_value() -> bool:
    # A key of its own per probe: concurrent probes must not read each other's token.
    key = f"healthz:{secrets.token_hex(8)}"
    cache.set(key, True, timeout=10)
    return cache.get(key) is True


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page; a database outage that reached this far gets the 503 page instead."""
    if isinstance(sys.exception(), DATABASE_DOWN_ERRORS):
        return service_unavailable(request)
    return _error_page(request, "500.html", 500, site_context())


def service_unavailable(request):
    """503 without touching the database: it is the part that is failing."""
    response = _error_page(request, "503.html", 503, site_context(database=False))
    response["Retry-After"] = "60"
    return response


def _error_page(request, template_name, status, context):
    context = {**context, "request": request, "canonical_root": _canonical_root(request)}
    response = HttpResponse(render_to_string(template_name, context), status=status)
    response["Cache-Control"] = "no-store"
    return response


def _canonical_root(request) -> str:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # a bad Host header must not turn an error page into another error
        return ""
