"""The practice's opening hours, from settings.PRACTICE_HOURS.

Written the way schema.org's `openingHours` is, one span per entry, separated
by semicolons: "Mo-Th 09:00-19:00; Fr 09:00-15:00". The same value gives the
contact page's words ("Monday to Thursday, 9 am to 7 pm") and the structured
data's openingHoursSpecification, so the two cannot disagree.
"""

import re
from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.formats import time_format
from django.utils.translation import gettext as _

DAYS = {
    "Mo": "Monday", "Tu": "Tuesday", "We": "Wednesday", "Th": "Thursday",
    "Fr": "Friday", "Sa": "Saturday", "Su": "Sunday",
}  # fmt: skip
_ORDER = list(DAYS)
_NAMES = list(DAYS.values())
_SPAN = re.compile(
    r"^(?P<first>[A-Z][a-z])(?:-(?P<last>[A-Z][a-z]))?\s+"
    r"(?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)$"
)


@dataclass(frozen=True)
class OpeningHours:
    days: tuple[str, ...]  # schema.org's day names: "Monday", …
    opens: time
    closes: time
    spec: str  # the entry as written, which is also schema.org's openingHours text

    @property
    def days_label(self):
        # Django's own names of the days, in the reader's language (WEEKDAYS[0] is Monday).
        first, last = (WEEKDAYS[_NAMES.index(day)] for day in (self.days[0], self.days[-1]))
        if len(self.days) == 1:
            return str(first)
        return _("%(first)s to %(last)s") % {"first": first, "last": last}

    @property
    def times_label(self):
        return _("%(opens)s to %(closes)s") % {
            "opens": time_format(self.opens, "P"),
            "closes": time_format(self.closes, "P"),
        }


def parse_hours(text: str) -> list[OpeningHours]:
    """Each span of `text`; ValueError says which one could not be read."""
    hours = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        match = _SPAN.match(entry)
        if not match or match["first"] not in DAYS or (match["last"] or "Mo") not in DAYS:
            raise ValueError(f"cannot read {entry!r}: write it like 'Mo-Th 09:00-19:00'")
        first = _ORDER.index(match["first"])
        last = _ORDER.index(match["last"]) if match["last"] else first
        if last < first:
            raise ValueError(f"{entry!r}: the days run backwards")
        opens, closes = time.fromisoformat(match["opens"]), time.fromisoformat(match["closes"])
        if closes <= opens:
            raise ValueError(f"{entry!r}: closes before it opens")
        days = tuple(DAYS[code] for code in _ORDER[first : last + 1])
        hours.append(OpeningHours(days, opens, closes, entry))
    return hours


def practice_hours() -> list[OpeningHours]:
    """The configured hours (a deployment check reports a value that cannot be read)."""
    try:
        return parse_hours(settings.PRACTICE_HOURS)
    except ValueError:
        return []
