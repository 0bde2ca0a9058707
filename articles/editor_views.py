"""The markdownx live preview and image upload, for logged-in staff only.

markdownx's own views accept anonymous users, return unsanitised HTML and trust the
client's file name and type (STACK.md); these replace them.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from articles.markup import MAX_MARKDOWN_CHARS, markdownify


@require_POST
@staff_member_required
def markdownify_preview(request):
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing 'content'.")
    if len(content) > MAX_MARKDOWN_CHARS:
        return HttpResponseBadRequest("The text is too long to preview.")
    return HttpResponse(markdownify(content))


@require_POST
@staff_member_required
def upload_image(request):
    return HttpResponseBadRequest("Uploads are not available yet.")
