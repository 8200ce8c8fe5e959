"""Pure web logic: the date-of-birth boxes, the reason for looking, ages, the activity chart."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lateral_search_api.domain.activity_chart import Activity, monthly_activity, render_svg
from lateral_search_api.domain.date_input import (
    DateOfBirthInput,
    age_in_years,
    read_date_of_birth,
)
from lateral_search_api.domain.reasons import ReasonProblem, choose_reason, remember
from lateral_search_api.entrypoints.web.oidc import principal_from_claims
from lateral_shared.contracts.records import AgencyKind

TODAY = date(2026, 3, 15)
PURPOSES = ["Section 47 enquiry", "Strategy discussion"]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("", "", "2012", "2012"),
        ("", "3", "2012", "2012-03"),
        ("4", "3", "2012", "2012-03-04"),
        (" 04 ", "03", "2012", "2012-03-04"),
        ("29", "2", "2024", "2024-02-29"),
        ("", "", "", None),
    ],
)
def test_a_full_or_partial_date_of_birth_is_read(
    day: str, month: str, year: str, expected: str | None
) -> None:
    result = read_date_of_birth(DateOfBirthInput(day, month, year), today=TODAY)
    assert (result.value, result.problem) == (expected, None)


@pytest.mark.parametrize(
    ("day", "month", "year", "boxes", "message"),
    [
        ("4", "3", "", {"year"}, "must include a year"),
        ("4", "", "2012", {"month"}, "must include a month"),
        ("", "13", "2012", {"month"}, "from 1 to 12"),
        ("29", "2", "2023", {"day"}, "from 1 to 28"),
        ("", "", "12", {"year"}, "4 numbers"),
        ("", "", "1850", {"year"}, "between 1900 and 2026"),
        ("16", "3", "2026", {"day", "month", "year"}, "in the past"),
        ("", "4", "2026", {"month", "year"}, "in the past"),
        ("x", "3", "2012", {"day"}, "Day must be a number"),
    ],
)
def test_an_impossible_date_of_birth_names_the_box_without_echoing_it(
    day: str, month: str, year: str, boxes: set[str], message: str
) -> None:
    result = read_date_of_birth(DateOfBirthInput(day, month, year), today=TODAY)
    assert result.value is None
    assert result.boxes == boxes
    assert result.problem and message in result.problem


def test_ages_from_partial_dates_are_the_youngest_possible() -> None:
    assert age_in_years("2012-03-15", today=TODAY) == 14
    assert age_in_years("2012-03-16", today=TODAY) == 13
    assert age_in_years("2012-03", today=TODAY) == 13  # could be born 31 March
    assert age_in_years("2012", today=TODAY) == 13
    assert age_in_years(None, today=TODAY) is None


def test_a_case_reference_becomes_the_reason() -> None:
    chosen = choose_reason(kind="case", case_reference=" CIN/24-0012 ", purpose="",
                           purposes=PURPOSES)  # fmt: skip
    assert chosen.text == "Case CIN/24-0012"


@pytest.mark.parametrize("reference", ["", "a", "Cara Smith", "x" * 41, "ref;drop"])
def test_a_case_reference_must_look_like_one(reference: str) -> None:
    with pytest.raises(ReasonProblem) as problem:
        choose_reason(kind="case", case_reference=reference, purpose="", purposes=PURPOSES)
    assert problem.value.field == "case_reference"
    if len(reference) > 3:
        assert reference not in problem.value.message


def test_only_a_configured_purpose_is_accepted() -> None:
    assert choose_reason(kind="purpose", case_reference="", purpose="Strategy discussion",
                         purposes=PURPOSES).text == "Strategy discussion"  # fmt: skip
    with pytest.raises(ReasonProblem):
        choose_reason(kind="purpose", case_reference="", purpose="Curiosity", purposes=PURPOSES)
    with pytest.raises(ReasonProblem):
        choose_reason(kind="", case_reference="", purpose="", purposes=PURPOSES)


def test_remembered_reasons_are_most_recent_first_without_repeats() -> None:
    reasons = remember(remember(remember([], "Case A1"), "Case B2"), "Case A1")
    assert reasons == ["Case A1", "Case B2"]
    assert len(remember([f"Case {i:02d}" for i in range(20)], "Case new")) == 8


def test_activity_is_counted_by_agency_over_the_last_twelve_months() -> None:
    events = [
        (AgencyKind.HEALTH, date(2026, 3, 1)),
        (AgencyKind.HEALTH, date(2026, 3, 14)),
        (AgencyKind.POLICE, date(2025, 4, 30)),  # the oldest month shown
        (AgencyKind.POLICE, date(2025, 3, 31)),  # thirteen months ago: not shown
        (AgencyKind.FIRE, date(2026, 4, 1)),  # after this month: not shown
    ]
    activity = monthly_activity(events, today=TODAY)
    assert activity.months[0] == date(2025, 4, 1) and activity.months[-1] == date(2026, 3, 1)
    assert activity.counts == {
        AgencyKind.HEALTH: [0] * 11 + [2],
        AgencyKind.POLICE: [1] + [0] * 11,
    }
    assert activity.month_totals()[-1] == 2 and activity.total() == 3


def test_the_chart_draws_a_bar_per_agency_and_month_with_a_text_summary() -> None:
    activity = Activity.from_months(
        [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"],
        {AgencyKind.HEALTH: [0] * 11 + [2], AgencyKind.POLICE: [1] + [0] * 11},
    )
    svg = render_svg(activity, title_id="chart-title")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'aria-labelledby="chart-title"' in svg
    assert "Agency activity by month, Apr 2025 to Mar 2026: health 2, police 1" in svg
    assert len(re.findall(r"<rect ", svg)) == 2
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[0] == 2 * heights[1] or heights[1] == 2 * heights[0]


def test_an_empty_chart_says_there_was_no_activity() -> None:
    svg = render_svg(monthly_activity([], today=TODAY), title_id="t")
    assert "No agency activity in the last 12 months" in svg
    assert "<rect " not in svg


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"preferred_username": "pat@council.example", "roles": ["practitioner", "Other"]},
         ("pat@council.example", {"practitioner"})),
        ({"sub": "abc", "email": "dm@council.example", "roles": "duty_manager ig_officer"},
         ("dm@council.example", {"duty_manager", "ig_officer"})),
        ({"sub": "abc", "roles": ["Reader"]}, None),
        ({"sub": "abc"}, None),
    ],
)  # fmt: skip
def test_roles_come_only_from_known_values_of_the_roles_claim(
    claims: dict[str, object], expected: tuple[str, set[str]] | None
) -> None:
    principal = principal_from_claims(claims, "roles")
    if expected is None:
        assert principal is None
    else:
        assert principal is not None
        assert (principal.subject, set(principal.roles)) == expected
