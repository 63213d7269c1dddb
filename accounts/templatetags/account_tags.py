"""Template helpers of the public account pages."""

from django import template

register = template.Library()


@register.filter
def field_errors(form):
    """[(bound field, message)] for every error of a visible field: the error summary's links."""
    return [(field, error) for field in form.visible_fields() for error in field.errors]
