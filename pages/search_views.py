"""The reader's search page: one ranked list of drugs, articles and conditions."""

from django.shortcuts import render

from articles.search import search as run_search
from pages import structured_data
from pages.views import public_page


@public_page
def search(request):
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results = run_search(request.GET.get("q", ""), page=page)
    meta = structured_data.search_page(request, results.query)
    return render(request, "articles/search_results.html", {"results": results, "page_meta": meta})
