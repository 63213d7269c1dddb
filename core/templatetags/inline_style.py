"""`{% inline_style %}…{% endinline_style %}`: a <style> block allowed by its hash, not by a nonce.

A nonce must differ on every response, so a page held by the shared cache cannot carry one; a hash is the
same for every reader. The block's sha256 is added to the response's Content-Security-Policy
(core.middleware.ContentSecurityPolicyMiddleware).
"""

from django import template
from django.utils.safestring import mark_safe

from core.middleware import allow_inline_style

register = template.Library()


@register.tag("inline_style")
def do_inline_style(parser, token):
    nodelist = parser.parse(("endinline_style",))
    parser.delete_first_token()
    return InlineStyleNode(nodelist)


class InlineStyleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        css = self.nodelist.render(context)
        request = context.get("request")
        if request is not None:
            allow_inline_style(request, css)
        return mark_safe(f"<style>{css}</style>")  # noqa: S308 (the block's own rendered template, escaped)
