"""What the working groups' public templates read (`councils.working_groups` computes it)."""

from django import template

from councils import working_groups

register = template.Library()


@register.simple_tag(takes_context=True)
def working_group_index_context(context, index):
    """`{% working_group_index_context page as wg %}`: the groups this reader may open."""
    return working_groups.working_group_index_context(index=index, request=context["request"])


@register.simple_tag(takes_context=True)
def working_group_page_context(context, working_group):
    """`{% working_group_page_context page as wg %}`: sections, next meetings, members' first names."""
    return working_groups.working_group_page_context(working_group=working_group, request=context["request"])
