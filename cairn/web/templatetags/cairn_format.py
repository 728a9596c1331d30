"""Number formatting for pages: thousands separators without django.contrib.humanize."""

from django import template

register = template.Library()


@register.filter
def thousands(value):
    """12345 → "12,345"; anything that is not a whole number is shown unchanged."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}"
