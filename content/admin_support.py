"""Admin building blocks shared by the articles and drugs admins: revisions, link warnings,
accessible tabular inlines."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from reversion.models import Version
from reversion.revisions import _get_options
from reversion_compare.admin import CompareVersionAdmin

from content.links import resolve_hrefs


class RevisionAdmin(CompareVersionAdmin):
    """History, diff between any two revisions, and revert, for staff who may see the object.

    reversion-compare's compare view checks only that the user is staff; this checks
    the object's own view permission too.
    """

    history_latest_first = True

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Open (GET) or revert to (POST) one of this object's own versions.

        reversion finds a version by its id and object id alone, whatever its model, and
        writes the whole revision raw before the change form checks anything: another
        model's version id reverted that object. Here the version must be this object's,
        the revision must hold nothing but this object and the rows it follows, and the
        user must be allowed to view (GET) or change (POST) the object, all before reversion
        runs. A slug the revert changes is remembered, so old links and URLs still work.
        """
        obj, version = self.own_version(request, object_id, version_id)
        if not revision_is_only_about(version.revision, obj):
            messages.error(
                request,
                "That revision also changed other content (it was saved from a list), so it "
                "cannot be reverted here. Compare it from the history and make the edit by hand.",
            )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_history", obj.pk)
        old_slug = getattr(obj, "slug", None)
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302 and old_slug:
            after = self.get_object(request, unquote(object_id))
            if after is not None and after.slug != old_slug:
                after.remember_old_slug(old_slug)
        return response

    def own_version(self, request, object_id, version_id):
        """The object and one of its own versions, if the user may open (GET) or revert
        (POST) it: 403 before anything is looked up for staff without the model's
        permission, 404 for a missing object or a version of any other object or model."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        version = get_object_or_404(
            Version.objects.get_for_object(obj).select_related("revision"), pk=version_id
        )
        if request.method == "POST":
            allowed = self.has_change_permission(request, obj)
        else:
            allowed = self.has_view_or_change_permission(request, obj)
        if not allowed:
            raise PermissionDenied
        return obj, version

    def recover_view(self, request, version_id, extra_context=None):
        """Recovery is for deleted content only. For an object that still exists it would
        write every stored field raw (an article's readers' copy and review included);
        such an object goes back through its history, where only its text is restored."""
        if not Version.objects.get_deleted(self.model).filter(pk=version_id).exists():
            raise Http404
        return super().recover_view(request, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's name.

    Django labels a tabular inline's columns with table headers only, so a screen reader
    meets inputs without a name (WCAG 4.1.2; axe's ``label`` rule): each gets an aria-label.
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name, field in formset.form.base_fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or name).capitalize())

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"

        return Labelled


class MarkdownEditorAdminMixin:
    """The admin's Markdown editor: upload button, labelled preview, drafts and unsaved-change
    guards (static/js/), and names for its autocomplete boxes (combobox-names.js)."""

    class Media:
        css = {"all": ["css/admin-editor.css"]}
        js = [
            forms.Script("js/markdown-editor.js", type="module"),
            forms.Script("js/unsaved-changes.js", type="module"),
            forms.Script("js/combobox-names.js", type="module"),
        ]


class BrokenLinkWarningMixin:
    """After a save, warn about links readers will see as plain text (the save stands)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not hasattr(form.instance, "outgoing_links"):
            return  # content without Markdown (conditions) links nowhere
        written = {link.href for link in form.instance.outgoing_links.filter(in_live_copy=False)}
        hrefs = sorted(href for href, (_, target) in resolve_hrefs(written).items() if not target)
        if hrefs:
            messages.warning(
                request,
                "Readers see these links as plain text until their target exists and is "
                "published: " + ", ".join(hrefs),
            )


def revision_is_only_about(revision, obj) -> bool:
    """Whether every version in ``revision`` is ``obj`` itself or a row ``obj`` follows.

    reversion reverts a whole revision at once. One saved from a change list (several site
    pages' positions) or by another object's form holds rows this object's history has no
    business writing: such a revision is not reverted from here.
    """
    model = type(obj)
    owner_key = {ContentType.objects.get_for_model(model).pk: ("pk", obj.pk)}
    for name in _get_options(model).follow:
        relation = model._meta.get_field(name)  # a reverse foreign key: brand_names, ...
        child = ContentType.objects.get_for_model(relation.related_model)
        owner_key[child.pk] = (relation.field.attname, obj.pk)
    for version in revision.version_set.all():
        if version.content_type_id not in owner_key:
            return False
        attname, expected = owner_key[version.content_type_id]
        value = version.object_id if attname == "pk" else version.field_dict.get(attname)
        if str(value) != str(expected):
            return False
    return True
