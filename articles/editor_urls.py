"""django-markdownx's endpoints, served by our own staff-only views (names the widget expects)."""

from django.urls import path

from articles import editor_views

urlpatterns = [
    path("upload/", editor_views.upload_image, name="markdownx_upload"),
    path("markdownify/", editor_views.markdownify_preview, name="markdownx_markdownify"),
]
