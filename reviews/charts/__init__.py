"""Server-rendered SVG charts.

The pages (the dashboard, the risk trend) and the PDF reports (made by WeasyPrint) embed the same
inline SVG, so the page and the PDF show the same picture and neither needs JavaScript or anything
fetched from elsewhere.

Constraints the markup keeps to:

* No ``style=`` attributes: the page's Content-Security-Policy has ``style-src 'self'``, which blocks
  them. Colours, fonts and sizes are SVG presentation attributes (``fill="..."``), which CSP does not
  govern and which WeasyPrint's SVG renderer reads; ``static/css/mlwa.css`` only refines them by class.
* Every piece of text is escaped. Pillar names come from user-imported lens files and may hold
  ``<script>``, ``&``, quotes or ``]]>``; the result must be well-formed XML (WeasyPrint parses it as
  XML) as well as safe HTML.
* Numbers are written with at most two decimals, so the markup stays short and stable in tests.

The package: ``svg`` holds what every chart shares (escaping, numbers, the ``<svg>`` element, the
legend's layout), ``bars`` the risk-by-pillar bar chart, ``trend`` the risk trend's line charts.
"""

from reviews.charts.bars import MIN_WIDTH, SEGMENTS, PillarRisk, risk_by_pillar_svg
from reviews.charts.svg import NAME_LIMIT
from reviews.charts.trend import TREND_MIN_WIDTH, PillarTrend, TrendPoint, risk_trend_svg

__all__ = [
    "MIN_WIDTH",
    "NAME_LIMIT",
    "SEGMENTS",
    "TREND_MIN_WIDTH",
    "PillarRisk",
    "PillarTrend",
    "TrendPoint",
    "risk_by_pillar_svg",
    "risk_trend_svg",
]
