"""The sitemaps, written directly: /sitemap.xml indexes one sitemap per kind of page.

Each section (/sitemap-articles.xml, ...) is split by primary key: page N lists the visible
rows whose key is in [(N - 1) × URLS_PER_SITEMAP, N × URLS_PER_SITEMAP), so no page holds
more than that (the protocol allows 50,000), any page is one range scan of the key's index
however deep, and an item stays on its page when others are published or taken down (a
crawler's copy of the other pages stays good). A page may come out short or empty where
keys were skipped; the protocol allows that.

django.contrib.sitemaps builds a model instance, reverses a URL and renders a template block
for every URL, about 130 µs each (0.65 s for a page of 5,000 at 100,000 articles); here
each URL is a row of one SQL query formatted into a line. Only what readers may see is
listed (``published_at <= now``, the ``visible()`` rule).
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from articles.models import PublishedArticle
from content.reader_urls import content_url
from content.sql import fetch_rows
from pages.views import public_page

URLS_PER_SITEMAP = 1_000
PROTOCOL_LIMIT = 50_000
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Section:
    """One kind of page: its largest key (how many pages) and one page of (path, date)."""

    name: str
    kind: str  # of content (content.reader_urls.content_url)
    last_key_sql: str
    rows_sql: str
    changefreq: str | None = None
    priority: float | None = None


def _published(table: str, key: str) -> tuple[str, str]:
    return (
        f"SELECT max({key}) FROM {table}",
        f"SELECT slug, NULL, text_since FROM {table} WHERE {key} >= %(first)s "
        f"AND {key} < %(after)s AND published_at <= %(now)s ORDER BY {key}",
    )


SECTIONS = {
    section.name: section
    for section in (
        Section("lists", "", "SELECT 0", "", changefreq="daily", priority=0.6),
        Section(
            "articles",
            "article",
            "SELECT max(article_id) FROM articles_publishedarticle",
            # An article's URL names its drug's hub while readers may see the hub.
            """SELECT a.slug, hub.slug, a.text_since
                 FROM articles_publishedarticle a
                 LEFT JOIN drugs_publisheddrug hub
                   ON hub.drug_id = a.drug_id AND hub.published_at <= %(now)s
                WHERE a.article_id >= %(first)s AND a.article_id < %(after)s
                  AND a.published_at <= %(now)s
                ORDER BY a.article_id""",
            changefreq="monthly",
        ),
        Section(
            "drugs",
            "drug",
            *_published("drugs_publisheddrug", "drug_id"),
            changefreq="monthly",
            priority=0.8,
        ),
        Section("conditions", "condition", *_published("drugs_publishedcondition", "condition_id")),
        Section(
            "pages", "page", *_published("articles_publishedsitepage", "page_id"), priority=0.3
        ),
    )
}


def paths(section: Section, number: int, now) -> list[tuple[str, object]]:
    """One page of the section: (path, lastmod or None) per URL."""
    if section.name == "lists":
        return [(reverse(name), None) for name in ("home", "drug-index", "condition-index")]
    first = (number - 1) * URLS_PER_SITEMAP
    params = {"now": now, "first": first, "after": first + URLS_PER_SITEMAP}
    rows = fetch_rows(PublishedArticle, section.rows_sql, params)
    return [(content_url(section.kind, slug, hub), since) for slug, hub, since in rows]


def xml_response(lines: list[str]) -> HttpResponse:
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n",
        content_type="application/xml",
    )
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def page_number(request) -> int:
    value = request.GET.get("p", "1")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= PROTOCOL_LIMIT:
        raise Http404("No such sitemap page.")
    return int(value)


def page_count(last_key: int | None) -> int:
    """Pages of a section whose largest key is ``last_key``: keys start at 1 (page 1 holds
    keys below URLS_PER_SITEMAP); an empty section still has its page 1."""
    return (last_key or 0) // URLS_PER_SITEMAP + 1


@public_page
def index(request):
    """Every page of every section, from each section's largest key: one query."""
    keys_sql = "SELECT " + ", ".join(f"({s.last_key_sql})" for s in SECTIONS.values())
    [last_keys] = fetch_rows(PublishedArticle, keys_sql, {})
    root = f"{request.scheme}://{request.get_host()}"
    lines = [f'<sitemapindex xmlns="{XMLNS}">']
    for section, last_key in zip(SECTIONS.values(), last_keys, strict=True):
        base = escape(root + reverse("sitemap-section", kwargs={"section": section.name}))
        for number in range(1, page_count(last_key) + 1):
            loc = base if number == 1 else f"{base}?p={number}"
            lines.append(f"<sitemap><loc>{loc}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return xml_response(lines)


@public_page
def section(request, section):
    if section not in SECTIONS:
        raise Http404("No such sitemap.")
    kind, number = SECTIONS[section], page_number(request)
    if number > 1:
        [(last_key,)] = fetch_rows(PublishedArticle, kind.last_key_sql, {})
        if number > page_count(last_key):
            raise Http404("No such sitemap page.")
    urls = paths(kind, number, timezone.now())
    root = escape(f"{request.scheme}://{request.get_host()}")
    extra = (f"<changefreq>{kind.changefreq}</changefreq>" if kind.changefreq else "") + (
        f"<priority>{kind.priority}</priority>" if kind.priority is not None else ""
    )
    lines = [f'<urlset xmlns="{XMLNS}">']
    for path, since in urls:
        lastmod = f"<lastmod>{since:%Y-%m-%d}</lastmod>" if since else ""
        lines.append(f"<url><loc>{root}{escape(path)}</loc>{lastmod}{extra}</url>")
    lines.append("</urlset>")
    return xml_response(lines)
