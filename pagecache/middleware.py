"""A full-page cache for anonymous readers, and 304s answered without rendering.

Sits just inside SecurityMiddleware and WhiteNoise, so a hit costs one cache read and
skips sessions, CSRF, templates and the database. Only pages a view marked public
(``pages.views.public_page``) are stored, only for requests without a session or message
cookie, and only when nothing per-request is in them: a response that sets a cookie or
carries a CSP nonce is never stored. Entries are keyed on the content version
(pagecache/version.py), so a publish, rename or scheduled time passing makes every process
render afresh within ``PAGE_CACHE_VERSION_SECONDS``: nothing is ever deleted or purged.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from pagecache.version import current_version

GZIP_ACCEPTED = "gzip"
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
SERVED_FROM = "X-Page-Cache"  # "cache" on a hit: for operators and tests, nothing secret


def reader_cookies_only(request) -> bool:
    """No session (a logged-in user or a started login) and no pending messages."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def cdn_policy() -> str:
    """Browsers revalidate every time (cheap: 304); shared caches may keep the page a while."""
    return (
        f"public, max-age=0, s-maxage={settings.PAGE_CDN_SECONDS}, "
        f"stale-while-revalidate={settings.PAGE_CDN_STALE_SECONDS}, "
        f"stale-if-error={settings.PAGE_CDN_STALE_IF_ERROR_SECONDS}"
    )


def declared_public(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return "public" in directives and not directives & {"private", "no-store"}


def storable(response) -> bool:
    return (
        response.status_code == 200
        and declared_public(response)
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "'nonce-" not in response.get("Content-Security-Policy", "")
    )


@dataclass(frozen=True)
class PageAddress:
    """Where one representation of a page lives in the cache, and its ETag."""

    key: str
    etag: str

    @classmethod
    def of(cls, request, version: str) -> "PageAddress":
        page = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        accept = request.META.get("HTTP_ACCEPT_ENCODING", "").lower()
        encoding = "gzip" if GZIP_ACCEPTED in accept else "identity"
        digest = hashlib.blake2b(f"{version} {page}".encode(), digest_size=16).hexdigest()
        # The ETag names the page at this version, whatever its encoding (a weak validator).
        return cls(key=f"page:{digest}:{encoding}", etag=f'W/"{digest}"')


@dataclass(frozen=True)
class StoredPage:
    content: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response) -> "StoredPage":
        return cls(response.content, tuple(response.headers.items()))

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        response[SERVED_FROM] = "cache"
        return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not reader_cookies_only(request):
            return self.private(self.get_response(request))
        if not settings.PAGE_CACHE_ENABLED:
            return self.public(self.get_response(request))
        try:
            address = PageAddress.of(request, current_version())
        except DATABASE_DOWN_ERRORS + (DisallowedHost,):
            # Uncached: the view answers as it would (the 503 page, a 400); a CDN may serve
            # its stale copy meanwhile (stale-if-error).
            return self.get_response(request)

        if address.etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            return self.not_modified(address)
        cache = caches[settings.PAGE_CACHE_ALIAS]
        stored = cache.get(address.key)
        if stored is not None:
            return stored.response()

        response = self.public(self.get_response(request))
        if storable(response):
            response["ETag"] = address.etag
            patch_vary_headers(response, ["Accept-Encoding"])
            if request.method == "GET":
                cache.set(address.key, StoredPage.of(response), settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def public(response):
        """What a view marked public may be kept for by browsers and CDNs (cdn_policy)."""
        if declared_public(response):
            response["Cache-Control"] = cdn_policy()
        return response

    @staticmethod
    def private(response):
        """A signed-in user's copy of a public page must stay out of shared caches."""
        if declared_public(response):
            response["Cache-Control"] = "private, no-cache"
        return response

    @staticmethod
    def not_modified(address: PageAddress) -> HttpResponseNotModified:
        response = HttpResponseNotModified()
        response["ETag"] = address.etag
        response["Cache-Control"] = cdn_policy()
        response["Vary"] = "Accept-Encoding"
        return response
