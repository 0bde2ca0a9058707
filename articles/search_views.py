"""The reader's search page (issue 4 builds the ranked search behind it)."""

from django.shortcuts import render

MAX_QUERY_CHARS = 200


def search(request):
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    return render(request, "articles/search_results.html", {"query": query, "results": []})
