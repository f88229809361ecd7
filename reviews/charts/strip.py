"""The risk strip: one small bar split by risk, for a row of a table (the lens review overview, the
workload page's pillars). The same colours and order as the risk-by-pillar chart (bars.SEGMENTS).

Widths are SVG attributes in a 100-unit viewBox stretched to the cell (preserveAspectRatio="none"),
never a `style` attribute, which the page's Content-Security-Policy forbids. The counts are said
in words by the table around it: the strip is decoration for a screen reader (aria-hidden), and its
`<title>` repeats them for a pointer."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reviews.charts.bars import SEGMENTS
from reviews.charts.svg import _num


def risk_strip_svg(counts) -> SafeString:
    """A strip for `counts` (anything with high, medium, none, not_applicable and unanswered), each
    risk as wide as its share of the questions; an empty grey strip for no questions."""
    total = sum(getattr(counts, field) for field, _label, _colour in SEGMENTS)
    parts = []
    x = 0.0
    for field, _label, colour in SEGMENTS:
        count = getattr(counts, field)
        if not count:
            continue
        width = 100 * count / total
        parts.append((_num(x), _num(width), colour, field))
        x += width
    words = ", ".join(f"{getattr(counts, f)} {label}" for f, label, _c in SEGMENTS if getattr(counts, f))
    rects = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="10" fill="{}" class="strip-{}"/>',
        parts,
    )
    return format_html(
        '<svg class="risk-strip" viewBox="0 0 100 10" preserveAspectRatio="none" width="100%" height="10" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title>{}</title><rect x="0" y="0" width="100" height="10" fill="#f3f3f3"/>{}</svg>',
        words or "no questions",
        rects,
    )
