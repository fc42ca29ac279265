"""axe-core on every public page at both widths, and the checks axe cannot make.

No violation of serious or critical impact is allowed. Pages are listed by what
a person would call them; each fixture brings the browser to that page.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import steps

axe = Axe()
BLOCKING = {"serious", "critical"}


def assert_no_serious_violations(page, *, exclude=()):
    """`exclude`: CSS selectors of markup that is not ours (Django's admin)."""
    results = axe.run(page, context={"exclude": [[s] for s in exclude]} if exclude else None)
    violations = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe on {page.url}:\n{report}"


def assert_page_basics(page):
    assert page.get_attribute("html", "lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)


def send(page, site, journey, **answers):
    page.goto(site + reverse("intake:request") + f"?journey={journey}")
    steps.fill_request(
        page, journey, readiness="declined" if journey != "individual" else None, **answers
    )
    steps.send_request(page)


PAGES = {
    "home": lambda page, site: page.goto(site + reverse("home")),
    "article list": lambda page, site: page.goto(site + reverse("articles:list")),
    "article": lambda page, site: page.goto(
        site + reverse("articles:detail", kwargs={"slug": "what-is-a-couples-intensive"})
    ),
    "topic": lambda page, site: page.goto(
        site + reverse("articles:topic", kwargs={"slug": "for-partners"})
    ),
    "search results": lambda page, site: page.goto(site + reverse("articles:list") + "?q=partner"),
    "search corrected": lambda page, site: page.goto(site + reverse("articles:list") + "?q=therpy"),
    "search with nothing found": lambda page, site: page.goto(
        site + reverse("articles:list") + "?q=zebra"
    ),
    "request form": lambda page, site: page.goto(site + reverse("intake:request")),
    "team": lambda page, site: page.goto(site + reverse("team")),
    "clinician": lambda page, site: page.goto(
        site + reverse("clinician", kwargs={"slug": "maya-okafor"})
    ),
    "fees": lambda page, site: page.goto(site + reverse("fees")),
    "privacy": lambda page, site: page.goto(site + reverse("privacy")),
    "accessibility": lambda page, site: page.goto(site + reverse("accessibility")),
    "contact": lambda page, site: page.goto(site + reverse("contact")),
    "404": lambda page, site: page.goto(site + "/no-such-page/"),
}


@pytest.mark.layout
@pytest.mark.parametrize("name", PAGES)
def test_public_page_has_no_serious_accessibility_violations(page, site, name):
    PAGES[name](page, site)
    assert_page_basics(page)
    assert_no_serious_violations(page)


def test_request_form_with_errors_has_no_serious_violations(page, site):
    page.goto(site + reverse("intake:request"))
    steps.pick_card(steps.journey_radio(page, "couples"))
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert_page_basics(page)
    assert_no_serious_violations(page)


@pytest.mark.parametrize(
    "kind, journey, answers",
    [
        ("individual", "individual", {}),
        ("couples with link", "couples", {}),
        ("crisis", "individual", {"crisis": "Yes"}),
        ("safety", "couples", {"safety": "Yes"}),
    ],
)
def test_confirmation_page_has_no_serious_violations(page, site, kind, journey, answers):
    send(page, site, journey, **answers)
    assert_page_basics(page)
    assert_no_serious_violations(page)
    if kind == "couples with link":
        page.goto(steps.partner_link(page))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "An invitation to talk, in your own time"
        )
        assert_page_basics(page)
        assert_no_serious_violations(page)


@pytest.mark.layout
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, site):
    page.goto(site + reverse("articles:list"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("path", ["intake:request", "partner"])
def test_radio_groups_have_legends_and_help_texts_are_tied_to_fields(page, site, path):
    if path == "partner":
        send(page, site, "couples")
        page.goto(steps.partner_link(page))
    else:
        page.goto(site + reverse(path))
    problems = page.evaluate(
        """() => {
            const problems = [];
            const names = new Set(
                [...document.querySelectorAll("input[type=radio]")].map((r) => r.name));
            for (const name of names) {
                const radios = document.querySelectorAll(`input[type=radio][name="${name}"]`);
                const fieldset = radios[0].closest("fieldset");
                const legend = fieldset && fieldset.querySelector(":scope > legend");
                if (!legend || !legend.textContent.trim()) problems.push(`radios ${name}`);
                for (const radio of radios) {
                    if (radio.closest("fieldset") !== fieldset) problems.push(`split ${name}`);
                }
            }
            for (const help of document.querySelectorAll("[id$=_helptext]")) {
                const tied = document.querySelector(
                    `[aria-describedby~="${help.id}"]`);
                if (!tied) problems.push(`help ${help.id}`);
            }
            return problems;
        }"""
    )
    assert problems == []


def test_reduced_motion_turns_transitions_off(new_context, viewport, site):
    duration = """() => getComputedStyle(document.querySelector(".button")).transitionDuration"""
    moving = new_context(viewport=viewport, reduced_motion="no-preference").new_page()
    moving.goto(site + reverse("home"))
    has_transitions = moving.evaluate(duration) not in ("0s", "")
    still = new_context(viewport=viewport, reduced_motion="reduce").new_page()
    still.goto(site + reverse("home"))
    assert has_transitions, "no transition on buttons: this test would prove nothing"
    assert re.fullmatch(r"0s(, 0s)*", still.evaluate(duration))


@pytest.mark.layout
def test_text_resized_to_200_percent_loses_nothing(page, site):
    # WCAG 1.4.4: with the root font size doubled, nothing is pushed sideways
    # off the screen, at either width.
    for name in ("home", "article", "request form", "team", "clinician", "fees", "contact"):
        PAGES[name](page, site)
        # Through the CSSOM: the CSP refuses an injected <style>.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        wide = page.evaluate(
            """() => [...document.querySelectorAll("main *")]
                .filter((el) => el.getBoundingClientRect().right
                    > document.documentElement.clientWidth + 1)
                .map((el) => `${el.tagName}.${el.className}`)"""
        )
        assert wide == [], f"{name}: wider than the screen at 200%: {wide[:5]}"


@pytest.mark.parametrize(
    ("link", "heading"),
    [
        ("Our team", "Our team"),
        ("Fees and insurance", "Fees and insurance"),
        ("Contact and directions", "Contact and directions"),
        ("Privacy", "Privacy"),
        ("Accessibility", "Accessibility"),
    ],
)
def test_the_footer_leads_to_every_page_of_the_practice(page, site, link, heading):
    page.goto(site + reverse("home"))
    page.get_by_role("navigation", name="Footer").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
