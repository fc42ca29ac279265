from datetime import time

import pytest

from practice.checks import check_practice_hours
from practice.hours import parse_hours


def test_hours_are_read_as_schema_org_writes_them():
    hours = parse_hours("Mo-Th 09:00-19:00; Sa 10:00-14:30")
    assert [h.days for h in hours] == [
        ("Monday", "Tuesday", "Wednesday", "Thursday"),
        ("Saturday",),
    ]
    assert hours[1].opens == time(10) and hours[1].closes == time(14, 30)
    assert hours[0].days_label == "Monday to Thursday"
    assert hours[1].days_label == "Saturday"


@pytest.mark.parametrize(
    "text", ["Monday 9-5", "Th-Mo 09:00-17:00", "Mo 17:00-09:00", "Xx 09:00-17:00"]
)
def test_unreadable_hours_are_refused(text):
    with pytest.raises(ValueError):
        parse_hours(text)


def test_unreadable_hours_are_reported_by_the_system_checks(settings):
    settings.PRACTICE_HOURS = "weekdays 9 to 5"
    warnings = check_practice_hours(None)
    assert [w.id for w in warnings] == ["practice.W020"]
    assert "weekdays 9 to 5" in warnings[0].msg
    settings.PRACTICE_HOURS = "Mo-Fr 09:00-17:00"
    assert check_practice_hours(None) == []
