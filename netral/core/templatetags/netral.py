"""Template helpers shared by every app (registered as a builtin in settings)."""

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from netral.core.qr import qr_svg

register = template.Library()


@register.filter
def longdatetime(value):
    """``Selasa, 17 September 2024, 09.00 WIB`` in the active language and Asia/Jakarta."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return "{}, {} {}".format(
        formats.date_format(local, "l, j F Y"),
        local.strftime("%H.%M"),
        local.tzname(),
    )


@register.filter
def longdate(value):
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return formats.date_format(value, "l, j F Y")


@register.filter
def hhmm(value):
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "date"):
        value = timezone.localtime(value)
    return value.strftime("%H.%M")


@register.simple_tag
def qr(data, scale=6, dark="#111"):
    """An inline SVG QR code (no external request, works offline)."""
    return mark_safe(qr_svg(str(data), scale=int(scale), dark=dark))  # noqa: S308 -- segno output


@register.filter
def filesize(num):
    num = int(num or 0)
    for unit in ("B", "KB", "MB"):
        if num < 1024:
            return f"{num:.0f} {unit}" if unit == "B" else f"{num:.1f} {unit}"
        num /= 1024
    return f"{num:.1f} GB"


@register.filter(name="markdown")
def markdown_filter(text):
    """Editor-written Markdown → sanitised HTML (only basic formatting and links)."""
    import markdown as md  # noqa: PLC0415 -- slow import
    import nh3  # noqa: PLC0415 -- slow import

    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return mark_safe(nh3.clean(  # noqa: S308 -- sanitised by nh3 just above
        html, tags={"p", "ul", "ol", "li", "strong", "em", "a", "br", "h3", "h4", "blockquote", "code"},
        attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer"))


@register.filter
def cut_pipe(value):
    return [part for part in str(value).split("|") if part]


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def is_editor(user):
    """Organisers and content editors may edit the knowledge base."""
    from netral.core.permissions import has_role  # noqa: PLC0415 -- leaf

    return has_role(user, "organiser", "editor")
