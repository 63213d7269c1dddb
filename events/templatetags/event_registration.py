"""`{% registration_block page as registration %}`: what the registration block of an event page shows
(templates/events/includes/registration.html). A form re-shown with its errors comes from the context."""

from django import template

from events.views import registration_context

register = template.Library()


@register.simple_tag(takes_context=True)
def registration_block(context, event):
    return registration_context(event, request=context.get("request"), form=context.get("registration_form"))
