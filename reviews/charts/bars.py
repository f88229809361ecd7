"""The risk-by-pillar chart: a horizontal bar a pillar, split by risk (the dashboard, the reports)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reviews.charts.svg import (
    BASELINE_SHIFT,
    CHAR_WIDTH,
    EMPTY_HEIGHT,
    LEGEND_LINE,
    PAD,
    SWATCH,
    _clean,
    _flow,
    _id_prefix,
    _num,
    _svg,
    _truncate,
)

#: (field, words for titles and the legend, fill colour), in drawing order, left to right.
SEGMENTS = (
    ("high", "high risk", "#c62828"),
    ("medium", "medium risk", "#ef8f00"),
    ("none", "no risk", "#2e7d32"),
    ("not_applicable", "not applicable", "#9e9e9e"),
    ("unanswered", "unanswered", "#e0e0e0"),
)


@dataclass(frozen=True)
class PillarRisk:
    """How the questions of one pillar were answered, as counts of questions."""

    pillar_id: str
    name: str
    high: int
    medium: int
    none: int  # answered, no risk
    not_applicable: int
    unanswered: int

    def __post_init__(self):
        # Counts come from database aggregates; a negative one is a bug upstream, and drawing it
        # would produce a bar running backwards over its neighbours.
        for field, _label, _colour in SEGMENTS:
            if getattr(self, field) < 0:
                raise ValueError(f"{field} must not be negative (pillar {self.pillar_id!r})")

    @property
    def total(self) -> int:
        return sum(getattr(self, field) for field, _label, _colour in SEGMENTS)


# Layout: the label column is sized for NAME_LIMIT characters at FONT_SIZE.
LABEL_WIDTH = 200
TOTAL_WIDTH = 56
BAR_HEIGHT = 18
ROW_PITCH = 28
MIN_WIDTH = LABEL_WIDTH + TOTAL_WIDTH + 64


def _row_summary(row: PillarRisk, name: str) -> str:
    # Zero counts are left out: the sentence is read aloud, once per pillar.
    if not row.total:
        return f"{name}: no questions."
    counts = ", ".join(
        f"{getattr(row, field)} {label}" for field, label, _colour in SEGMENTS if getattr(row, field)
    )
    questions = "question" if row.total == 1 else "questions"
    return f"{name}: {counts} ({row.total} {questions})."


def _segments(row: PillarRisk, name: str, bar_x: float, bar_width: float) -> SafeString:
    """The coloured rects of one bar, each as wide as its share of the pillar's questions."""
    total = row.total
    if not total:
        return mark_safe("")  # noqa: S308 - a constant
    parts = []
    cumulative = 0
    # Edges are computed from the running total and each width is the difference of two rounded
    # edges, so segments neither overlap nor leave gaps, and the widths add up to the bar width.
    left = 0.0
    for field, label, colour in SEGMENTS:
        count = getattr(row, field)
        cumulative += count
        right = round(cumulative / total * bar_width, 2)
        if count:
            parts.append(
                format_html(
                    '<rect class="risk-chart-segment risk-chart-{}" x="{}" y="0" width="{}" height="{}"'
                    ' fill="{}"><title>{}: {} {}</title></rect>',
                    field.replace("_", "-"),
                    _num(bar_x + left),
                    _num(right - left),
                    BAR_HEIGHT,
                    colour,
                    name,
                    count,
                    label,
                )
            )
        left = right
    return mark_safe("".join(parts))  # noqa: S308 - each part came from format_html


def _legend(top: float, width: int) -> tuple[SafeString, int]:
    """The legend items, wrapped onto as many lines as the width needs; returns (markup, lines)."""
    texts = [label[0].upper() + label[1:] for _field, label, _colour in SEGMENTS]
    places, lines = _flow([SWATCH + 6 + len(text) * CHAR_WIDTH + 16 for text in texts], width)
    items = []
    for text, (_field, _label, colour), (x, line) in zip(texts, SEGMENTS, places, strict=True):
        y = top + line * LEGEND_LINE
        items.append(
            format_html(
                '<g class="risk-chart-legend-item">'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}">{}</text></g>',
                _num(PAD + x),
                _num(y),
                SWATCH,
                SWATCH,
                colour,
                _num(PAD + x + SWATCH + 6),
                _num(y + SWATCH / 2 + BASELINE_SHIFT),
                text,
            )
        )
    markup = format_html(
        '<g class="risk-chart-legend">{}</g>',
        mark_safe("".join(items)),  # noqa: S308 - format_html parts
    )
    return markup, lines


def risk_by_pillar_svg(
    rows: Sequence[PillarRisk],
    *,
    title: str = "Risk by pillar",
    width: int = 640,
    id_prefix: str = "risk-chart",
) -> SafeString:
    """Inline SVG markup for a horizontal stacked bar chart of answers by risk, one bar a pillar.

    Each bar spans the full bar width and is split into high, medium, no risk, not applicable and
    unanswered, in proportion to the pillar's questions; the number of questions is written after
    it and the pillar's name before it (cut at NAME_LIMIT characters, the full name in a tooltip).
    A legend follows the bars. With no rows, a small chart says "No answers yet".

    The chart is accessible as one image: ``role="img"`` labelled by its ``<title>`` (``title``)
    and a ``<desc>`` giving every count in words. ``id_prefix`` (slugified) starts every id in the
    chart; give each chart on a page its own. ``width`` is in pixels; the height follows from the
    number of rows. The result is fully escaped and safe to put into a template as it is.
    """
    if width < MIN_WIDTH:
        raise ValueError(f"width must be at least {MIN_WIDTH}, not {width}")
    ids = _id_prefix(id_prefix)
    title = _clean(title)

    if not rows:
        body = format_html(
            '<text class="risk-chart-empty" x="{}" y="{}">{}</text>',
            PAD,
            _num(EMPTY_HEIGHT / 2 + BASELINE_SHIFT),
            "No answers yet",
        )
        return _svg(ids, width, EMPTY_HEIGHT, title, "No answers yet.", body)

    bar_x = LABEL_WIDTH
    bar_width = width - LABEL_WIDTH - TOTAL_WIDTH
    text_dy = BAR_HEIGHT / 2 + BASELINE_SHIFT
    row_markup = []
    summaries = []
    for index, row in enumerate(rows):
        name = _clean(row.name)
        summaries.append(_row_summary(row, name))
        # Each row is a group moved into place, so its parts use y relative to the row.
        row_markup.append(
            format_html(
                '<g class="risk-chart-row" data-pillar="{}" transform="translate(0 {})">'
                '<g class="risk-chart-label"><title>{}</title>'
                '<text x="{}" y="{}" text-anchor="end">{}</text></g>'
                '<rect class="risk-chart-track" x="{}" y="0" width="{}" height="{}" fill="none"'
                ' stroke="#dde2e8"/>'
                "{}"
                '<text class="risk-chart-total" x="{}" y="{}">{}</text></g>',
                _clean(row.pillar_id),
                _num(PAD + index * ROW_PITCH),
                name,
                LABEL_WIDTH - PAD,
                _num(text_dy),
                _truncate(name),
                bar_x,
                bar_width,
                BAR_HEIGHT,
                _segments(row, name, bar_x, bar_width),
                bar_x + bar_width + 6,
                _num(text_dy),
                row.total,
            )
        )

    legend_top = PAD + len(rows) * ROW_PITCH + 4
    legend, lines = _legend(legend_top, width)
    height = legend_top + lines * LEGEND_LINE + PAD
    body = format_html(
        '<g class="risk-chart-bars">{}</g>{}',
        mark_safe("".join(row_markup)),  # noqa: S308 - each part came from format_html
        legend,
    )
    return _svg(ids, width, height, title, " ".join(summaries), body)
