"""Which articles lead people to ask for help: the report's rows, with small
numbers hidden so that nobody can be picked out.

A request records only the article whose call to action the person pressed
(IntakeRequest.from_article); the report counts them per article and month
(selectors.attribution_counts). Any count from 0 to 4 is shown as "fewer than
5". That alone is not enough: a row's total is the sum of its journeys, and
the couples and intensive requests are the sum of the partner readiness
answers, so a small count could be worked out by subtraction (a total of 12
with 8 individual and nothing else shown but couples gives couples = 4). So
each row is checked the way someone subtracting would read it: from what is
shown (an exact count, 0 to 4, or 5 or more), the range each hidden count can
still take is narrowed through the sums until nothing changes. While a hidden
count could only be one value (other than 0: that nobody came that way
identifies nobody), the smallest exact count that the sum runs through is
shown as "5 or more" as well, and the row checked again.

The sums share only one unknown (the couples and intensive requests
together), so this narrowing finds exactly the values a hidden count can take:
tests/intake/test_attribution_report.py compares it with trying every
possibility. The answers that a request may leave without a readiness
(couples requests with none) are not shown, and are treated as known to the
reader, which only makes the check stricter.

What no report can stop: someone who saw it yesterday and sees it today can
tell that one more request arrived in a row. The counts never name anyone.
"""

import math
from dataclasses import dataclass

from django.utils.formats import date_format

from intake.choices import JOURNEY_SHORT, READINESS_SHORT
from practice.journeys import Journey, Readiness

SMALL_BELOW = 5
SMALL = f"fewer than {SMALL_BELOW}"
WITHHELD = f"{SMALL_BELOW} or more"

JOURNEYS = [f"journey_{value}" for value in Journey.values]
COUPLES = ["journey_couples", "journey_intensive"]
READINESS = [f"readiness_{value}" for value in Readiness.values]
NO_READINESS = "readiness_"
# An unknown shown nowhere: the couples and intensive requests together.
COUPLES_TOTAL = "couples_total"
# Each sum: (total, its parts).
SUMS = [
    ("total", ["journey_individual", "journey_consult", COUPLES_TOTAL]),
    (COUPLES_TOTAL, COUPLES),
    (COUPLES_TOTAL, [*READINESS, NO_READINESS]),
]
# The counts a hidden one may be worked out from, in each group, to show as
# "5 or more" in turn when one is at risk; the row's total comes last.
GROUPS = [JOURNEYS, [*READINESS, *COUPLES]]
COLUMNS = ["total", *JOURNEYS, *READINESS, "became_client"]
HEADINGS = [
    "Requests",
    *(JOURNEY_SHORT[Journey(value)] for value in Journey.values),
    *(READINESS_SHORT[Readiness(value)] for value in Readiness.values),
    "Became clients",
]


@dataclass(frozen=True)
class ReportRow:
    article: str
    month: str
    # Reads of the article that month (articles.reads): exact, as they identify nobody.
    reads: int
    cells: list[str]


def report_rows(counts: list[dict]) -> list[ReportRow]:
    """What the report shows for selectors.attribution_counts(): article, month
    and the counts in COLUMNS' order, small ones hidden."""
    return [
        ReportRow(
            article=row["from_article__title"],
            month=date_format(row["month"], "F Y"),
            reads=row["reads"],
            cells=[shown[column] for column in COLUMNS],
        )
        for row in counts
        for shown in [shown_counts(row)]
    ]


def shown_counts(row: dict) -> dict[str, str]:
    """Each count of one row as shown: the number, SMALL or WITHHELD."""
    withheld: set[str] = set()
    while True:
        shown = {name: _shown(row[name], name in withheld) for name in COLUMNS}
        at_risk = worked_out(row, shown)
        if not at_risk:
            return shown
        name = _next_to_withhold(row, shown, at_risk)
        if name is None:
            # Never reached (the total is always left), but if it were: nothing exact.
            return {name: SMALL if row[name] < SMALL_BELOW else WITHHELD for name in COLUMNS}
        withheld.add(name)


def _shown(value: int, is_withheld: bool) -> str:
    if value < SMALL_BELOW:
        return SMALL
    return WITHHELD if is_withheld else str(value)


def _next_to_withhold(row: dict, shown: dict[str, str], at_risk: set[str]) -> str | None:
    """The smallest exact count in a group with a count at risk; then the total."""
    for group in GROUPS:
        if at_risk & set(group):
            exact = [name for name in group if shown[name] not in (SMALL, WITHHELD)]
            if exact:
                return min(exact, key=lambda name: (row[name], name))
    return "total" if shown["total"] not in (SMALL, WITHHELD) else None


def possible_ranges(row: dict, shown: dict[str, str]) -> dict[str, tuple[float, float]]:
    """The range each count can take for someone who sees `shown` (and knows
    how many couples requests have no readiness), narrowed through SUMS."""
    ranges: dict[str, tuple[float, float]] = {COUPLES_TOTAL: (0, math.inf)}
    ranges[NO_READINESS] = (row[NO_READINESS], row[NO_READINESS])
    for name, text in shown.items():
        if text == SMALL:
            ranges[name] = (0, SMALL_BELOW - 1)
        elif text == WITHHELD:
            ranges[name] = (SMALL_BELOW, math.inf)
        else:
            ranges[name] = (int(text), int(text))
    changed = True
    while changed:
        changed = False
        for total, parts in SUMS:
            for name in [total, *parts]:
                low, high = ranges[name]
                if name == total:
                    new_low = sum(ranges[part][0] for part in parts)
                    new_high = sum(ranges[part][1] for part in parts)
                else:
                    others = [part for part in parts if part != name]
                    new_low = ranges[total][0] - sum(ranges[part][1] for part in others)
                    new_high = ranges[total][1] - sum(ranges[part][0] for part in others)
                narrowed = (max(low, new_low), min(high, new_high))
                if narrowed != (low, high):
                    ranges[name] = narrowed
                    changed = True
    return ranges


def worked_out(row: dict, shown: dict[str, str]) -> set[str]:
    """The counts shown as SMALL whose value could be worked out (all but 0)."""
    ranges = possible_ranges(row, shown)
    return {
        name
        for name, text in shown.items()
        if text == SMALL and ranges[name][0] == ranges[name][1] and ranges[name][0] > 0
    }
