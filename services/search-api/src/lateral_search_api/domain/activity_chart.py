"""Twelve months of agency activity: counts by month and agency, drawn as an SVG bar chart.

Drawn on the server so it reads without JavaScript; the page shows the same counts in a table for
screen readers and for anyone who cannot tell the colours apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from lateral_shared.contracts.records import AgencyKind

MONTHS = 12
# GOV.UK palette colours with at least 3:1 contrast against white (WCAG 1.4.11).
AGENCY_COLOURS = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: "#1d70b8",
    AgencyKind.ADULT_SOCIAL_CARE: "#4c2c92",
    AgencyKind.HEALTH: "#00703c",
    AgencyKind.POLICE: "#0b0c0c",
    AgencyKind.FIRE: "#d4351c",
}
_W, _H, _LEFT, _TOP, _BOTTOM = 640, 260, 40, 16, 40


@dataclass(frozen=True)
class Activity:
    """Events per agency for each of the last twelve months, oldest month first."""

    months: list[date]  # the first day of each month
    counts: dict[AgencyKind, list[int]]

    @classmethod
    def from_months(cls, months: Sequence[str], counts: dict[AgencyKind, list[int]]) -> Activity:
        """From months given as "YYYY-MM" (as the JSON API gives them)."""
        starts = [date(int(m[:4]), int(m[5:7]), 1) for m in months]
        return cls(months=starts, counts={k: counts[k] for k in AgencyKind if k in counts})

    def total(self) -> int:
        return sum(sum(row) for row in self.counts.values())

    def month_totals(self) -> list[int]:
        return [sum(row[i] for row in self.counts.values()) for i in range(len(self.months))]


def _month_starts(today: date) -> list[date]:
    index = today.year * 12 + today.month - 1
    return [date((i) // 12, (i) % 12 + 1, 1) for i in range(index - MONTHS + 1, index + 1)]


def monthly_activity(events: Iterable[tuple[AgencyKind, date]], *, today: date) -> Activity:
    """Count events by agency and month over the twelve months ending with `today`'s month."""
    months = _month_starts(today)
    position = {(m.year, m.month): i for i, m in enumerate(months)}
    counts: dict[AgencyKind, list[int]] = {}
    for agency, when in events:
        slot = position.get((when.year, when.month))
        if slot is not None:
            counts.setdefault(agency, [0] * MONTHS)[slot] += 1
    ordered = {k: counts[k] for k in AgencyKind if k in counts}
    return Activity(months=months, counts=ordered)


AGENCY_LABELS = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyKind.ADULT_SOCIAL_CARE: "Adult social care",
    AgencyKind.HEALTH: "Health",
    AgencyKind.POLICE: "Police",
    AgencyKind.FIRE: "Fire and rescue",
}


def agency_label(agency: AgencyKind | str) -> str:
    """The agency kind in words (given as the enum or its value, as in JSON results)."""
    return AGENCY_LABELS[AgencyKind(agency)]


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def render_svg(activity: Activity, *, title_id: str) -> str:
    """A stacked bar per month, one colour per agency, with axis labels and a title."""
    peak = max([*activity.month_totals(), 1])
    plot_h, slot_w = _H - _TOP - _BOTTOM, (_W - _LEFT) / MONTHS
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-labelledby="{escape(title_id)}" class="app-activity-chart" width="100%">',
        f'<title id="{escape(title_id)}">{escape(_summary(activity))}</title>',
        *_axis(peak, plot_h),
    ]
    for i, month in enumerate(activity.months):
        x, base = _LEFT + i * slot_w + slot_w * 0.15, float(_TOP + plot_h)
        for agency, row in activity.counts.items():
            if row[i]:
                height = plot_h * row[i] / peak
                base -= height
                parts.append(
                    f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot_w * 0.7:.1f}" '
                    f'height="{height:.1f}" fill="{AGENCY_COLOURS[agency]}"/>'
                )
        parts.append(
            f'<text x="{x + slot_w * 0.35:.1f}" y="{_H - 22}" font-size="11" '
            f'text-anchor="middle" fill="#0b0c0c">{month.strftime("%b")}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _axis(peak: int, plot_h: float) -> Sequence[str]:
    bottom = _TOP + plot_h
    return [
        f'<line x1="{_LEFT}" y1="{bottom}" x2="{_W}" y2="{bottom}" stroke="#0b0c0c"/>',
        f'<text x="{_LEFT - 6}" y="{bottom + 4}" font-size="11" text-anchor="end" '
        f'fill="#0b0c0c">0</text>',
        f'<text x="{_LEFT - 6}" y="{_TOP + 4}" font-size="11" text-anchor="end" '
        f'fill="#0b0c0c">{peak}</text>',
    ]


def _summary(activity: Activity) -> str:
    if not activity.total():
        return "No agency activity in the last 12 months"
    first, last = month_label(activity.months[0]), month_label(activity.months[-1])
    agencies = ", ".join(
        f"{agency_label(a).lower()} {sum(row)}" for a, row in activity.counts.items()
    )
    return f"Agency activity by month, {first} to {last}: {agencies}"
