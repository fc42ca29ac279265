"""The intake forms' markup from our crispy-forms pack (templates/crispy_practice/):
what a screen reader and a keyboard rely on, on the blank forms and on forms
sent back with mistakes."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.intake.journeys import (
    couples_request_with_token,
    partner_post,
    partner_url,
    request_post,
)

pytestmark = pytest.mark.django_db


@dataclass
class Control:
    tag: str
    attrs: dict
    # The innermost fieldset around the control, and its legend's text.
    fieldset: dict | None
    legend: str


@dataclass
class Page(HTMLParser):
    """The form controls of a page, their labels and every element's text by id."""

    controls: list[Control] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    _fieldsets: list[list] = field(default_factory=list)
    _open: list[list] = field(default_factory=list)

    def __post_init__(self):
        super().__init__()

    def handle_starttag(self, tag, attr_list):
        attrs = dict(attr_list)
        if tag == "fieldset":
            self._fieldsets.append([attrs, ""])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            fieldset, legend = self._fieldsets[-1] if self._fieldsets else (None, "")
            self.controls.append(Control(tag, attrs, fieldset, legend))
        if tag not in ("input", "br", "img", "meta", "link"):
            self._open.append([tag, attrs, ""])

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldsets.pop()
        while self._open:
            open_tag, attrs, raw = self._open.pop()
            if self._open:
                self._open[-1][2] += raw
            text = " ".join(raw.split())
            if open_tag == "label" and attrs.get("for"):
                self.labels[attrs["for"]] = text
            if open_tag == "legend" and self._fieldsets and not self._fieldsets[-1][1]:
                self._fieldsets[-1][1] = text
            if attrs.get("id"):
                self.texts[attrs["id"]] = text
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2] += data


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def request_page(client, **data):
    if data:
        return client.post(reverse("intake:request"), request_post(**data)).content.decode()
    return client.get(reverse("intake:request")).content.decode()


def partner_page(client, **data):
    _request, token = couples_request_with_token(client)
    if data:
        return client.post(partner_url(token), partner_post(**data)).content.decode()
    return client.get(partner_url(token)).content.decode()


def described_by(page: Page, control: Control) -> list[str]:
    """The ids that describe a control: its own, or its group's for radios and checkboxes."""
    own = control.attrs.get("aria-describedby")
    group = (control.fieldset or {}).get("aria-describedby")
    return (own or group or "").split()


@pytest.mark.parametrize("page_of", [request_page, partner_page])
def test_every_control_is_labelled_and_every_group_has_a_legend(client, page_of):
    page = parsed(page_of(client))

    assert len(page.controls) > 20
    for control in page.controls:
        name = control.attrs["name"]
        if name == "website":  # the honeypot, hidden from everyone, is labelled too
            assert page.labels[control.attrs["id"]]
            continue
        assert page.labels.get(control.attrs["id"]), name
        # An option of a group (id_<name>_<n>) is named by the group's legend too.
        if control.attrs["id"] != f"id_{name}":
            assert control.legend, f"{name} is a group without a legend"


@pytest.mark.parametrize("page_of", [request_page, partner_page])
def test_every_hint_is_tied_to_its_control(client, page_of):
    page = parsed(page_of(client))

    hints = {id_ for id_ in page.texts if id_.endswith("_helptext")}
    tied = {id_ for control in page.controls for id_ in described_by(page, control)}
    assert hints
    assert hints <= tied
    assert tied <= set(page.texts), "aria-describedby names an element that is not there"


@pytest.mark.parametrize(
    ("page_of", "data", "expected"),
    [
        (
            request_page,
            {"name": "", "journey": None, "contact_methods": [], "consent": None},
            {"name", "journey", "contact_methods", "consent"},
        ),
        (
            partner_page,
            {"name": "", "contact_methods": [], "consent": None},
            {"name", "contact_methods", "consent"},
        ),
    ],
)
def test_each_mistake_is_marked_on_its_control_and_read_with_it(client, page_of, data, expected):
    page = parsed(page_of(client, **data))

    invalid = {c.attrs["name"] for c in page.controls if c.attrs.get("aria-invalid") == "true"}
    assert invalid == expected
    for control in page.controls:
        name = control.attrs["name"]
        errors = [id_ for id_ in described_by(page, control) if id_.endswith("_error")]
        if name in expected:
            assert errors == [f"id_{name}_error"], name
            assert page.texts[errors[0]].startswith("Error: Please"), name
        else:
            assert errors == [], name


def test_summary_links_lead_to_controls_that_carry_the_error(client):
    html = request_page(client, name="", journey=None, contact_methods=[], consent=None)
    page = parsed(html)

    by_id = {c.attrs["id"]: c for c in page.controls}
    start = html.index("data-error-summary")
    summary = html[start : html.index("</ul>", start)]
    targets = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert len(targets) == 4
    for target in targets:
        assert by_id[target].attrs["aria-invalid"] == "true", target
