"""The markdownx live preview and image upload, for staff who may edit content.

markdownx's own views accept anonymous users, return unsanitised HTML and trust the
client's file name and type (STACK.md); these replace them. Bad input answers 400 with
a message, never 500.
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from articles.uploads import UploadRefused, check_size, store_image
from content.markup import markdownify, validate_markdown_length

# Staff who may change any Markdown-bearing content may preview and upload.
EDITOR_PERMISSIONS = ("articles.change_article", "articles.change_sitepage", "drugs.change_drug")

# Room for the multipart boundaries, headers and the CSRF field around the image itself.
MULTIPART_OVERHEAD = 64 * 1024


def editor_required(view):
    """Anonymous and non-staff users go to the admin login; staff without rights get 403."""

    @wraps(view)
    @staff_member_required
    def wrapped(request, *args, **kwargs):
        if not any(request.user.has_perm(perm) for perm in EDITOR_PERMISSIONS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@editor_required
@require_POST
def markdownify_preview(request):
    content = request.POST.get("content")
    if content is None:
        return _bad_text("Missing 'content'.")
    try:
        validate_markdown_length(content)  # the save would refuse it: say why, in its words
    except ValidationError as refusal:
        return _bad_text(" ".join(refusal.messages))
    return HttpResponse(markdownify(content))


# The CSRF check reads request.POST, which would spool the whole body to disk first; it
# runs in _store_upload, after the declared length has been checked.
@csrf_exempt
@editor_required
@require_POST
def upload_image(request):
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    try:
        check_size(max(declared - MULTIPART_OVERHEAD, 0))
    except UploadRefused as refusal:
        return _bad_upload(refusal)
    return _store_upload(request)


@csrf_protect
def _store_upload(request):
    upload = request.FILES.get("image")
    if upload is None:
        return _bad_upload(UploadRefused("No image was sent (expected a file named 'image')."))
    try:
        url = store_image(upload)
    except UploadRefused as refusal:
        return _bad_upload(refusal)
    return JsonResponse({"image_code": f"![]({url})"})


def _bad_text(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _bad_upload(refusal: UploadRefused) -> JsonResponse:
    return JsonResponse({"error": str(refusal)}, status=400)
