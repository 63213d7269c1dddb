"""Admin forms every Parvis page (and admin-edited model) is built on."""

import types

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.fields import RichTextField, StreamField

from .references import MESSAGES, refused_references, strip_block_references, strip_rich_text


class FencedFormMixin:
    """Refuses, on save and on preview, any reference to a document, image or page the editor may not
    use (see core.references). The error goes on the field (or inline child) holding it and nothing is
    saved; the form shows again what the editor typed, minus the refused references (a chooser would
    otherwise print the title of an item they may not see)."""

    def _post_clean(self):
        super()._post_clean()
        user = getattr(self, "for_user", None)
        if user is None:
            return
        forms = {id(self.instance): self}
        for formset in getattr(self, "formsets", {}).values():
            if not formset.is_valid():
                continue
            for form in formset.forms:
                if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE"):
                    forms[id(form.instance)] = form
        objects = [self.instance, *(f.instance for f in forms.values() if f is not self)]
        refused_by_form = {}
        for obj, field_name, kind, pk in refused_references(objects, user):
            form = forms[id(obj)]
            field_errors = form.errors.get(field_name, [])
            if MESSAGES[kind] not in field_errors:
                form.add_error(field_name if field_name in form.fields else None, MESSAGES[kind])
            refused_by_form.setdefault(id(form), (form, {}))[1].setdefault(field_name, set()).add((kind, pk))
        for form, fields in refused_by_form.values():
            _show_without_refused(form, fields)
        if any(form is not self for form, _fields in refused_by_form.values()):
            # An inline child was refused: say so at the top too, so the editor finds it.
            self.add_error(None, MESSAGES["inline"])


def _show_without_refused(form, fields):
    """Re-render `form` with the editor's input, less the refused references of `fields`."""
    overrides = {}
    for name, refused in fields.items():
        if name not in form.fields:
            continue
        bound = form[name]
        model_field = form._meta.model._meta.get_field(name)
        if isinstance(model_field, StreamField):
            block = model_field.stream_block
            raw = strip_block_references(block, bound.data.get_prep_value(), refused)
            overrides[bound.html_name] = block.to_python(raw)
        elif isinstance(model_field, RichTextField):
            overrides[bound.html_name] = strip_rich_text(bound.data, refused)
        else:
            overrides[bound.html_name] = None
    if not overrides:
        return
    original = form._widget_data_value

    def widget_data_value(self, widget, html_name):
        if html_name in overrides:
            return overrides[html_name]
        return original(widget, html_name)

    form._widget_data_value = types.MethodType(widget_data_value, form)


class FencedPageForm(FencedFormMixin, WagtailAdminPageForm):
    pass


class FencedModelForm(FencedFormMixin, WagtailAdminModelForm):
    pass
