"""The requests per article report: counts per article and month, small ones
hidden so that none can be worked out, no request shown or linked, for the
people given intake.view_attribution_report (Editors and Clinicians)."""

import itertools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import ArticleReads
from intake import attribution, selectors
from intake.attribution import COLUMNS, NO_READINESS, READINESS, SMALL, WITHHELD, shown_counts
from intake.models import IntakeRequest
from intake.staff import request_status_set
from tests.conftest import otp_login
from tests.factories import ArticleFactory, IntakeRequestFactory

pytestmark = pytest.mark.django_db

REPORT_URL = reverse("admin:intake_attributionreport_changelist")
PRACTICE_TIME = ZoneInfo("America/Los_Angeles")


def arrived(year, month, day=10, hour=12):
    return datetime(year, month, day, hour, tzinfo=PRACTICE_TIME)


def requests_from(article, count, *, at, journey="individual", **fields):
    return [
        IntakeRequestFactory(from_article=article, created_at=at, journey=journey, **fields)
        for _ in range(count)
    ]


def table_rows(html: str) -> list[list[str]]:
    """The report table's body, cell by cell, as text."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


@pytest.fixture
def editor_report(editor_client):
    def get():
        response = editor_client.get(REPORT_URL)
        assert response.status_code == 200
        return response.content.decode()

    return get


def row(**values) -> dict:
    """A row of counts as the selector returns it; unnamed counts are 0."""
    counts = dict.fromkeys([*COLUMNS, NO_READINESS], 0) | values
    journeys = [name for name in COLUMNS if name.startswith("journey_")]
    counts["total"] = values.get("total", sum(counts[name] for name in journeys))
    return counts


# --- What is counted -----------------------------------------------------------


def test_requests_are_counted_per_article_and_month_by_journey_readiness_and_clients(
    editor_report,
):
    leaning = ArticleFactory(title="When your partner says no")
    eft = ArticleFactory(title="What EFT is")
    requests_from(leaning, 6, at=arrived(2026, 10))
    requests_from(leaning, 5, at=arrived(2026, 10), journey="couples", partner_readiness="declined")
    clients = requests_from(leaning, 5, at=arrived(2026, 11))
    requests_from(eft, 2, at=arrived(2026, 11))
    IntakeRequestFactory(created_at=arrived(2026, 11))  # from no article: not counted
    for intake_request in clients:
        intake_request.status = IntakeRequest.Status.BECAME_CLIENT
        intake_request.became_client_at = arrived(2026, 12)
        intake_request.save()

    rows = table_rows(editor_report())

    # Article, month, reads, total, 4 journeys, 4 readiness answers, became clients.
    assert rows == [
        ["What EFT is", "November 2026", "0", *[SMALL] * 10],
        ["When your partner says no", "November 2026", "0", "5", "5", *[SMALL] * 7, "5"],
        ["When your partner says no", "October 2026", "0"]
        + ["11", "6", "5", SMALL, SMALL, SMALL, SMALL, "5", SMALL, SMALL],
    ]


def test_the_articles_reads_that_month_are_shown_in_full_beside_its_requests(editor_report):
    article = ArticleFactory(title="An article")
    requests_from(article, 2, at=arrived(2026, 10, day=31, hour=20))
    requests_from(article, 1, at=arrived(2026, 9))
    ArticleReads.objects.create(article=article, month=date(2026, 10, 1), count=3)
    ArticleReads.objects.create(article=article, month=date(2026, 11, 1), count=700)

    rows = table_rows(editor_report())

    # Reads count nobody: 3 is shown as 3, and a month without reads as 0.
    assert [cells[:4] for cells in rows] == [
        ["An article", "October 2026", "3", SMALL],
        ["An article", "September 2026", "0", SMALL],
    ]


def test_a_month_is_the_practices_month_not_utcs(editor_report):
    article = ArticleFactory(title="An article")
    # 8 p.m. on October 31st in Oregon is already November in UTC.
    requests_from(article, 5, at=arrived(2026, 10, day=31, hour=20))

    assert table_rows(editor_report()) == [
        ["An article", "October 2026", "0", "5", "5", *[SMALL] * 8]
    ]


def test_a_client_closed_later_still_counts_and_a_mistake_undone_does_not(clinician):
    article = ArticleFactory()
    stays, mistaken = requests_from(article, 2, at=arrived(2026, 10))

    request_status_set(intake_request=stays, status="became_client", by=clinician)
    request_status_set(intake_request=stays, status="closed", by=clinician)
    request_status_set(intake_request=mistaken, status="became_client", by=clinician)
    request_status_set(intake_request=mistaken, status="in_review", by=clinician)

    [counts] = selectors.attribution_counts()
    assert counts["became_client"] == 1
    stays.refresh_from_db()
    assert stays.became_client_at is not None and stays.closed_at is not None


def test_the_report_is_counted_in_one_query(django_assert_num_queries):
    for number in range(4):
        article = ArticleFactory()
        for month in (9, 10, 11):
            requests_from(article, number + 1, at=arrived(2026, month), journey="couples")

    with django_assert_num_queries(1):
        rows = attribution.report_rows(selectors.attribution_counts())

    assert len(rows) == 12


def test_the_page_shows_no_request_no_name_no_reference_and_no_link_to_one(editor_report):
    article = ArticleFactory(title="An article")
    sent = requests_from(article, 7, at=arrived(2026, 10), name="Jordan Quillfeather")

    html = editor_report()

    content = html[html.index('id="content-main"') :]
    assert "Quillfeather" not in html
    assert not any(intake_request.reference in html for intake_request in sent)
    assert "/intakerequest/" not in html and "/requests/" not in html
    assert "<a " not in content
    assert "An article" in content


def test_with_no_request_from_an_article_the_report_says_so(editor_report):
    IntakeRequestFactory()

    assert "No request has come from an article yet." in editor_report()


# --- Who sees it -----------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("Editors", 200), ("Clinicians", 200), (None, 403)])
def test_editors_and_clinicians_see_the_report_and_other_staff_do_not(make_staff, role, status):
    user = make_staff("someone", role=role)

    response = otp_login(Client(), user).get(REPORT_URL)

    assert response.status_code == status


def test_the_permission_alone_opens_the_report(make_staff):
    user = make_staff("analyst", perms=["intake.view_attribution_report"])

    assert otp_login(Client(), user).get(REPORT_URL).status_code == 200


def test_the_admin_index_links_editors_to_the_report(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()

    assert f'href="{REPORT_URL}"' in html
    assert "Requests per article" in html


# --- Small numbers ------------------------------------------------------------


def test_every_count_below_5_shows_as_fewer_than_5():
    shown = shown_counts(row(total=3, journey_individual=2, journey_couples=1, readiness_agreed=1))

    assert set(shown.values()) == {SMALL}


def test_a_small_count_left_alone_beside_an_exact_total_is_covered_by_another():
    # 18 = 5 + 5 + 4 + 4: with both 4s hidden, couples and intensive together
    # would be 18 - 5 - 5 = 8, so both 4 exactly. One of the 5s is hidden too.
    counts = row(
        journey_individual=5,
        journey_consult=5,
        journey_couples=4,
        journey_intensive=4,
        readiness_agreed=4,
        readiness_unsure=4,
    )

    shown = shown_counts(counts)

    assert shown["total"] == "18"
    assert [shown["journey_consult"], shown["journey_individual"]] == [WITHHELD, "5"]
    assert shown["journey_couples"] == shown["journey_intensive"] == SMALL


def test_readiness_answers_are_covered_in_the_same_way():
    counts = row(
        journey_couples=9,
        journey_intensive=9,
        readiness_agreed=5,
        readiness_unsure=5,
        readiness_declined=4,
        readiness_not_asked=4,
    )

    shown = shown_counts(counts)

    assert shown["readiness_agreed"] == WITHHELD
    assert shown["readiness_unsure"] == "5"
    assert shown["journey_couples"] == shown["journey_intensive"] == "9"


def test_nothing_is_withheld_where_nothing_could_be_worked_out():
    shown = shown_counts(row(journey_individual=8, journey_couples=4, readiness_declined=4))

    assert shown["total"] == "12" and shown["journey_individual"] == "8"
    assert WITHHELD not in shown.values()


# Every possibility, as someone with the page and time to spare would try them.

LIMIT = 24  # no count in the rows below is larger


def _candidates(text: str, limit: int = LIMIT) -> range:
    if text == SMALL:
        return range(0, 5)
    if text == WITHHELD:
        return range(5, limit + 1)
    return range(int(text), int(text) + 1)


def possible_values(counts: dict, shown: dict) -> dict[str, set[int]]:
    """For each count, every value it can have in some row that looks the same
    (knowing the couples requests without a readiness answer)."""
    found = {name: set() for name in COLUMNS}
    readiness_splits = {}
    no_readiness = counts[NO_READINESS]
    journeys = ["journey_individual", "journey_couples", "journey_intensive", "journey_consult"]
    for total in _candidates(shown["total"]):
        first_three = [_candidates(shown[name], total) for name in journeys[:3]]
        for individual, couples, intensive in itertools.product(*first_three):
            consult = total - individual - couples - intensive
            if consult not in _candidates(shown["journey_consult"], total):
                continue
            together = couples + intensive - no_readiness
            if together not in readiness_splits:
                readiness_splits[together] = _readiness_splits(shown, together)
            splits = readiness_splits[together]
            if not splits:
                continue
            values = dict(zip(journeys, (individual, couples, intensive, consult), strict=True))
            values["total"] = total
            for name, value in values.items():
                found[name].add(value)
            for split in splits:
                for name, value in zip(READINESS, split, strict=True):
                    found[name].add(value)
    found["became_client"] = set(_candidates(shown["became_client"]))
    return found


def _readiness_splits(shown, together):
    if together < 0:
        return []
    ranges = [_candidates(shown[name], together) for name in READINESS[:3]]
    splits = []
    for first_three in itertools.product(*ranges):
        last = together - sum(first_three)
        if last in _candidates(shown[READINESS[3]], together):
            splits.append((*first_three, last))
    return splits


journey_count = st.integers(min_value=0, max_value=6)


@st.composite
def counts_rows(draw):
    individual, couples, intensive, consult = (draw(journey_count) for _ in range(4))
    left = couples + intensive
    readiness = []
    for _ in READINESS[:-1]:
        readiness.append(draw(st.integers(min_value=0, max_value=left)))
        left -= readiness[-1]
    readiness.append(left)
    values = dict(zip(READINESS, readiness, strict=True))
    return row(
        journey_individual=individual,
        journey_couples=couples,
        journey_intensive=intensive,
        journey_consult=consult,
        became_client=draw(st.integers(min_value=0, max_value=individual + couples)),
        **values,
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(counts=counts_rows())
def test_no_count_shown_as_fewer_than_5_can_be_worked_out(counts):
    shown = shown_counts(counts)

    possible = possible_values(counts, shown)

    ranges = attribution.possible_ranges(counts, shown)
    for name, text in shown.items():
        assert counts[name] in possible[name]
        if text == SMALL and name != "became_client":
            # The narrowing the report relies on finds exactly what trying finds.
            assert ranges[name] == (min(possible[name]), max(possible[name])), name
        if text == SMALL:
            assert possible[name] == {0} or len(possible[name]) > 1, (name, shown, possible)
        elif text == WITHHELD:
            assert counts[name] >= 5
        else:
            assert int(text) == counts[name] >= 5
