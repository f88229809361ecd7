"""What every chart shares: text made safe for XML, numbers with two decimals at most, ids, the
legend's layout, and the ``<svg>`` element with its accessible title and description (see the
package's docstring for the rules the markup keeps to)."""

import re
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify

SVG_NS = "http://www.w3.org/2000/svg"

#: Names longer than this are cut (with an ellipsis) so they fit the label column.
NAME_LIMIT = 28

# Layout, in user units (px at the default width). Text widths cannot be measured on the server, so
# they are estimated from CHAR_WIDTH.
FONT_SIZE = 13
FONT_FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"
TEXT_FILL = "#1f2430"
PAD = 8
LEGEND_LINE = 20
SWATCH = 12
CHAR_WIDTH = 7  # a generous average glyph width at FONT_SIZE, for laying out the legend
# Half the x-height, roughly: added to a row's middle so text sits centred on it without
# dominant-baseline, which renderers (WeasyPrint included) support unevenly.
BASELINE_SHIFT = 4.5
EMPTY_HEIGHT = 40

# Characters XML 1.0 forbids even as character references (most C0 controls, lone surrogates,
# U+FFFE/U+FFFF). escape() leaves them alone, and one of them in a lens name would make the whole
# chart unparsable for WeasyPrint, so they are dropped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML_CHAR.sub("", str(text))


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros ("12.5", "200")."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    # round() can give -0.0 for tiny negatives; "-0" is valid but noisy.
    return "0" if text == "-0" else text


def _truncate(name: str) -> str:
    if len(name) <= NAME_LIMIT:
        return name
    return name[: NAME_LIMIT - 1].rstrip() + "\u2026"


def _id_prefix(id_prefix: str) -> str:
    # slugify keeps ids free of spaces and quotes; an id should start with a letter (XML names
    # may not start with a digit or hyphen), so anything else gets the default in front.
    slug = slugify(id_prefix)
    if not slug:
        return "risk-chart"
    if not slug[0].isalpha():
        return f"risk-chart-{slug}"
    return slug


def _flow(widths: Sequence[float], width: int) -> tuple[list[tuple[float, int]], int]:
    """Where legend items of `widths` go, left to right, wrapped onto as many lines as `width`
    needs: ([(x, line)], number of lines)."""
    places = []
    x, line = 0.0, 0
    for item_width in widths:
        if x and x + item_width > width - 2 * PAD:
            x, line = 0.0, line + 1
        places.append((x, line))
        x += item_width
    return places, line + 1


def _svg(
    ids: str,
    width: int,
    height: float,
    title: str,
    desc: str,
    body: SafeString,
    css_class: str = "risk-chart",
) -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="{}" role="img" aria-labelledby="{}-title {}-desc"'
        ' width="{}" height="{}" viewBox="0 0 {} {}" font-family="{}" font-size="{}" fill="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        SVG_NS,
        css_class,
        ids,
        ids,
        width,
        _num(height),
        width,
        _num(height),
        FONT_FAMILY,
        FONT_SIZE,
        TEXT_FILL,
        ids,
        title,
        ids,
        desc,
        body,
    )
