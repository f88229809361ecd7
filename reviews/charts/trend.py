"""The risk trend: each pillar's high and medium risks across a workload's milestones and now, as two
panels of lines (the trend page, the workload page, the reports)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # the selector reads; the chart only draws what it is given
    from reviews.selectors.trend import Trend

#: The pillars' line colours (Okabe and Ito's palette, which colour-blind readers tell apart, less its
#: yellow, too pale on white). Past eight pillars the colours come round again, dashed.
LINE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#1f2430", "#8c8c8c")
DASHES = "6 3"
#: The panels, top to bottom: (PillarTrend field, heading).
TREND_PANELS = (("high", "High risk"), ("medium", "Medium risk"))
AXIS_WIDTH = 30  # the counts left of each panel
PANEL_HEAD = 32  # the panel's heading, above it
X_LABEL_LINE = 22  # the points' labels, under it
PANEL_GAP = 12
X_LABEL_ROOM = 52  # the least room a point's label needs: labels are skipped to keep it
LINE_SWATCH = 20
MARKER_RADIUS = 3
#: Lines with the same counts would lie on one another and hide all but the last (issue 17: zero
#: lines vanished): each pillar's line is drawn this many pixels from its neighbour's, the group
#: centred on the true value and never wider than SPREAD_MAX; every other pillar's markers are rings.
SPREAD = 2.5
SPREAD_MAX = 12.0
TREND_MIN_WIDTH = 300


@dataclass(frozen=True)
class TrendPoint:
    """A point of the time axis: `label` under the axis ("#3", "Now"), `title` in tooltips and in
    the description ("Milestone 3 · Before launch")."""

    label: str
    title: str


@dataclass(frozen=True)
class PillarTrend:
    """One pillar's high and medium risk counts at each point of a trend, in the points' order."""

    pillar_id: str
    name: str
    high: tuple[int, ...]
    medium: tuple[int, ...]

    def __post_init__(self):
        if len(self.high) != len(self.medium) or min((*self.high, *self.medium), default=0) < 0:
            raise ValueError(
                f"counts must be as many for high and medium, none negative ({self.pillar_id!r})"
            )


def _axis(peak: int) -> tuple[int, int]:
    """(top, step) of a count axis reaching `peak`: at most four steps of 1, 2, 5, 10, 20, 50..."""
    step, factors = 1, (2.0, 2.5, 2.0)
    while -(-peak // step) > 4:
        step = int(step * factors[0])
        factors = (*factors[1:], factors[0])
    return max(step, -(-peak // step) * step), step


def _line_style(index: int) -> tuple[str, SafeString]:
    """The colour of the `index`th pillar's line, and its dash attribute (from the ninth on)."""
    dash = mark_safe("")  # noqa: S308 - a constant
    if index >= len(LINE_COLOURS):
        dash = format_html(' stroke-dasharray="{}"', DASHES)
    return LINE_COLOURS[index % len(LINE_COLOURS)], dash


def _spread(index: int, count: int) -> float:
    """The `index`th of `count` lines' vertical shift in pixels, so that equal lines stay visible."""
    if count < 2:
        return 0.0
    step = min(SPREAD, SPREAD_MAX / (count - 1))
    return (index - (count - 1) / 2) * step


def _shown_labels(count: int, room: float) -> set[int]:
    """The points whose label is written: every k-th from the last ("Now"), as many as fit."""
    step = max(1, -(-count // max(1, int(room // X_LABEL_ROOM))))
    return {index for index in range(count) if (count - 1 - index) % step == 0}


def _trend_panel(field, heading, top, height, points, pillars, xs, width) -> SafeString:
    """One panel: its heading, the count axis with grid lines, the points' labels, a line a pillar."""
    axis_top, step = _axis(max((max(getattr(p, field), default=0) for p in pillars), default=0))
    plot_top = top + PANEL_HEAD
    bottom = plot_top + height

    def y(value: int, shift: float = 0.0) -> str:
        return _num(bottom - value / axis_top * height + shift)

    parts = [
        format_html(
            '<text class="risk-trend-heading" x="{}" y="{}" font-weight="600">{}</text>',
            PAD,
            _num(top + 14),
            heading,
        )
    ]
    for tick in range(0, axis_top + 1, step):
        parts.append(
            format_html(
                '<line class="risk-trend-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#dde2e8"/>'
                '<text class="risk-trend-count" x="{}" y="{}" text-anchor="end">{}</text>',
                PAD + AXIS_WIDTH,
                y(tick),
                width - PAD,
                y(tick),
                PAD + AXIS_WIDTH - 6,
                _num(float(y(tick)) + BASELINE_SHIFT),
                tick,
            )
        )
    for index in sorted(_shown_labels(len(points), xs[-1] - xs[0] + X_LABEL_ROOM)):
        parts.append(
            format_html(
                '<g class="risk-trend-label"><title>{}</title>'
                '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
                _clean(points[index].title),
                _num(xs[index]),
                _num(bottom + 16),
                _truncate(_clean(points[index].label)),
            )
        )
    for index, pillar in enumerate(pillars):
        colour, dash = _line_style(index)
        name, values = _clean(pillar.name), getattr(pillar, field)
        shift = _spread(index, len(pillars))
        # Filled dots, or rings (white inside) for every other pillar: told apart where lines meet.
        fill = colour if index % 2 == 0 else "#ffffff"
        line = mark_safe("")  # noqa: S308 - a constant: one point draws no line
        if len(values) > 1:
            coordinates = " ".join(
                f"{_num(x)},{y(value, shift)}" for x, value in zip(xs, values, strict=True)
            )
            line = format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                coordinates,
                colour,
                dash,
            )
        markers = (
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1.5">'
                "<title>{} at {}: {} {}</title></circle>",
                _num(x),
                y(value, shift),
                MARKER_RADIUS,
                fill,
                colour,
                name,
                _clean(point.title),
                value,
                field,
            )
            for x, value, point in zip(xs, values, points, strict=True)
        )
        parts.append(
            format_html(
                '<g class="risk-trend-series" data-pillar="{}">{}{}</g>',
                _clean(pillar.pillar_id),
                line,
                mark_safe("".join(markers)),  # noqa: S308 - format_html parts
            )
        )
    return format_html(
        '<g class="risk-trend-panel risk-trend-{}">{}</g>',
        field,
        mark_safe("".join(parts)),  # noqa: S308 - format_html parts
    )


def _trend_legend(top: float, width: int, pillars: Sequence[PillarTrend]) -> tuple[SafeString, int]:
    """A line of each pillar's colour (and dashes) and its name, wrapped; returns (markup, lines)."""
    names = [_truncate(_clean(pillar.name)) for pillar in pillars]
    places, lines = _flow([LINE_SWATCH + 6 + len(name) * CHAR_WIDTH + 16 for name in names], width)
    items = []
    for index, (pillar, name, (x, line)) in enumerate(zip(pillars, names, places, strict=True)):
        colour, dash = _line_style(index)
        middle = top + line * LEGEND_LINE + SWATCH / 2
        items.append(
            format_html(
                '<g class="risk-chart-legend-item"><title>{}</title>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"{}/>'
                '<text x="{}" y="{}">{}</text></g>',
                _clean(pillar.name),
                _num(PAD + x),
                _num(middle),
                _num(PAD + x + LINE_SWATCH),
                _num(middle),
                colour,
                dash,
                _num(PAD + x + LINE_SWATCH + 6),
                _num(middle + BASELINE_SHIFT),
                name,
            )
        )
    markup = format_html('<g class="risk-chart-legend">{}</g>', mark_safe("".join(items)))  # noqa: S308
    return markup, lines


def _trend_summary(points: Sequence[TrendPoint], pillars: Sequence[PillarTrend]) -> str:
    """The chart in words, for the description: the points, then each pillar's counts in order."""
    at = ", ".join(_clean(point.title) for point in points)
    counts = " ".join(
        f"{_clean(pillar.name)}: high {', '.join(map(str, pillar.high))};"
        f" medium {', '.join(map(str, pillar.medium))}."
        for pillar in pillars
    )
    return f"High and medium risks per pillar at {at}. {counts}".strip()


def risk_trend_svg(
    points: Sequence[TrendPoint],
    pillars: Sequence[PillarTrend],
    *,
    title: str = "Risk trend",
    width: int = 640,
    panel_height: int = 120,
    id_prefix: str = "risk-trend",
) -> SafeString:
    """Inline SVG markup for line charts of risks over time: a panel of high risks above a panel of
    medium risks, the `points` (milestones, oldest first, then now) along each, a line per pillar
    in its own colour, and a legend naming the pillars.

    Each panel's count axis starts at 0 and has at most four steps; the points' labels are thinned
    out when they would not fit (the last is always written). A marker on each point has a tooltip
    ("Security at Milestone 2 · Launch: 3 high"), and the ``<desc>`` gives every count in words, for
    the chart is one image to assistive technology (``role="img"``, labelled by ``title``). Every
    pillar's `high` and `medium` have a count per point. ``id_prefix`` starts every id in the chart;
    ``width`` and ``panel_height`` are in pixels. The result is fully escaped, well-formed XML (the
    PDF reports embed it too) and safe to put into a template as it is.
    """
    if width < TREND_MIN_WIDTH:
        raise ValueError(f"width must be at least {TREND_MIN_WIDTH}, not {width}")
    if not points:
        raise ValueError("a trend has at least one point (now)")
    if any(len(pillar.high) != len(points) for pillar in pillars):
        raise ValueError("every pillar needs a count for each point")
    ids = _id_prefix(id_prefix)
    title = _clean(title)
    css_class = "risk-chart risk-trend"
    if not pillars:
        body = format_html(
            '<text class="risk-chart-empty" x="{}" y="{}">{}</text>',
            PAD,
            _num(EMPTY_HEIGHT / 2 + BASELINE_SHIFT),
            "No pillars to show",
        )
        return _svg(ids, width, EMPTY_HEIGHT, title, "No pillars to show.", body, css_class)

    left, right = PAD + AXIS_WIDTH + 16, width - PAD - 16
    if len(points) == 1:
        xs = [(left + right) / 2]
    else:
        xs = [left + index * (right - left) / (len(points) - 1) for index in range(len(points))]
    panels, top = [], PAD
    for field, heading in TREND_PANELS:
        panels.append(_trend_panel(field, heading, top, panel_height, points, pillars, xs, width))
        top += PANEL_HEAD + panel_height + X_LABEL_LINE + PANEL_GAP
    legend, lines = _trend_legend(top + 4, width, pillars)
    body = format_html("{}{}", mark_safe("".join(panels)), legend)  # noqa: S308 - format_html parts
    height = top + 4 + lines * LEGEND_LINE + PAD
    return _svg(ids, width, height, title, _trend_summary(points, pillars), body, css_class)


def trend_svg(
    trend: "Trend", *, small: bool = False, title: str = "Risk trend", id_prefix: str = "risk-trend"
) -> SafeString:
    """A workload's trend (reviews.selectors.trend.workload_trend) drawn by risk_trend_svg: full size
    for the trend page, `small` for the workload page."""
    return risk_trend_svg(
        [TrendPoint(moment.label, moment.title) for moment in trend.moments],
        [PillarTrend(p.pillar_id, p.name, p.high, p.medium) for p in trend.pillars],
        title=title,
        width=480 if small else 760,
        panel_height=80 if small else 140,
        id_prefix=id_prefix,
    )
