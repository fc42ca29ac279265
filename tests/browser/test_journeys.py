"""Every public journey, in Chromium, at a phone width; what depends on the
width of the screen (marked `layout`) at a desktop width too.

Staff journeys (sign-in with the second factor, notes, statuses, publishing) are
in test_staff.py.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import IntakeRequest
from tests.browser import steps

ARTICLE_FOR_JOURNEY = {
    # journey: (article slug, its call to action, readiness it preselects)
    "individual": (
        "starting-individual-sessions-while-your-partner-decides",
        "Ask about individual sessions",
        None,
    ),
    "couples": (
        "when-your-partner-says-no-to-couples-therapy",
        "Ask about starting now",
        "declined",
    ),
    "intensive": ("what-is-a-couples-intensive", "Ask about a couples intensive", "agreed"),
    "consult": ("what-is-emotionally-focused-therapy", "Ask for a consultation call", None),
}


def article_url(slug):
    return reverse("articles:detail", kwargs={"slug": slug})


def start_couples_request(page, site, **answers):
    page.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(page, "couples", **answers)
    steps.send_request(page)


@pytest.mark.layout
def test_reader_finds_articles_by_topic_and_by_search(page, site):
    page.goto(site + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbor & Hearth Counseling")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles")
    page.get_by_role("navigation", name="Topics").get_by_role(
        "link", name="When your partner isn't ready"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When your partner isn't ready")
    page.get_by_role("link", name="When your partner says no to couples therapy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "When your partner says no to couples therapy"
    )
    expect(page.locator(".prose")).to_contain_text("rarely what it means")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles").click()
    page.get_by_role("searchbox", name="Search the articles").fill("intensive")
    page.get_by_role("searchbox", name="Search the articles").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles about “intensive”")
    expect(page.get_by_role("status")).to_contain_text("found")
    page.get_by_role("link", name="What is a couples intensive, and who is it for?").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("couples intensive")


@pytest.mark.parametrize("journey", ["individual", "couples", "intensive", "consult"])
def test_article_call_to_action_opens_the_form_and_the_journey_completes(page, site, journey):
    slug, call_to_action, readiness = ARTICLE_FOR_JOURNEY[journey]
    page.goto(site + article_url(slug))
    page.get_by_role("link", name=call_to_action).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request a session")
    expect(steps.journey_radio(page, journey)).to_be_checked()
    if readiness:
        expect(
            steps.group(page, "Where is your partner").get_by_label(
                steps.READINESS_LABELS[readiness]
            )
        ).to_be_checked()
    else:
        expect(page.get_by_role("group", name="You and your partner")).to_be_hidden()

    steps.fill_request(page, journey)
    steps.send_request(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. We have your request.")
    steps.reference(page)
    link = page.get_by_label("Your partner's private link")
    if journey in ("couples", "intensive"):
        expect(link).to_have_value(re.compile(r"/request/partner/[\w-]{43}/$"))
    else:
        expect(link).to_have_count(0)


@pytest.mark.parametrize("answer", ["join", "questions", "not_now"])
def test_partner_opens_the_copied_link_and_answers_privately(new_context, viewport, site, answer):
    requester = new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page = requester.new_page()
    start_couples_request(page, site, readiness="declined")
    steps.reference(page)
    link = steps.partner_link(page)

    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text(
        "Link copied. You can paste it wherever you like."
    )
    assert page.evaluate("navigator.clipboard.readText()") == link

    # The partner, on their own device: nothing of the requester's answers shows.
    partner_page = new_context(viewport=viewport).new_page()
    partner_page.goto(link)
    expect(partner_page.get_by_role("heading", level=1)).to_have_text(
        "An invitation to talk, in your own time"
    )
    expect(partner_page.locator("main")).not_to_contain_text(steps.CONCERNS)
    expect(partner_page.locator("main")).not_to_contain_text(steps.NAME)
    steps.answer_as_partner(partner_page, answer)
    expect(partner_page.get_by_role("heading", level=1)).to_have_text("Thank you for answering")

    # The link worked once.
    partner_page.goto(link)
    expect(partner_page.get_by_role("heading", level=1)).to_have_text("This link no longer works")

    # Reloaded, the requester's confirmation is the neutral page (shown once),
    # and it never tells them what the partner said.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Your request R-\w+ has reached us$")
    )
    main = page.locator("main")
    expect(main).not_to_contain_text("/request/partner/")
    expect(main).not_to_contain_text("PARTNER-SECRET")
    for label in steps.PARTNER_ANSWER_LABELS.values():
        expect(main).not_to_contain_text(label)


@pytest.mark.layout
def test_crisis_answer_shows_help_before_anything_else(page, site):
    page.goto(site + reverse("intake:request"))
    steps.fill_request(page, "individual", crisis="Yes")
    steps.send_request(page)

    first_heading = page.locator("main").get_by_role("heading").first
    expect(first_heading).to_have_text("If you are in danger right now")
    crisis = page.get_by_role("region", name="If you are in danger right now")
    expect(crisis.get_by_role("link", name="911")).to_be_visible()
    expect(crisis.get_by_role("link", name="Call or text 988")).to_be_visible()
    # Before the reference, in reading order and on the screen.
    is_first = page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const crisis = document.getElementById("crisis-heading").closest("section");
            const first = main.querySelector("h1, h2, p, section, form, ul, ol");
            const reference = document.querySelector(".reference");
            return crisis.contains(first) || first === crisis
                ? Boolean(crisis.compareDocumentPosition(reference)
                    & Node.DOCUMENT_POSITION_FOLLOWING)
                : false;
        }"""
    )
    assert is_first
    assert crisis.bounding_box()["y"] < page.locator(".reference").bounding_box()["y"]
    steps.reference(page)


def test_safety_answer_gives_no_partner_link_and_shows_support(page, site):
    start_couples_request(page, site, readiness="declined", safety="Yes")

    steps.reference(page)
    expect(page.get_by_label("Your partner's private link")).to_have_count(0)
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("/request/partner/")
    support = page.get_by_role("region", name="Support is here if you need it")
    expect(support).to_contain_text("we will not contact your partner")
    expect(support).to_contain_text("National Domestic Violence Hotline")
    expect(support.get_by_role("link", name="1-800-799-7233")).to_be_visible()


@pytest.mark.layout
def test_mistakes_are_summarised_linked_to_their_fields_and_nothing_typed_is_lost(page, site):
    page.goto(site + reverse("intake:request"))
    steps.pick_card(steps.journey_radio(page, "couples"))
    page.get_by_role("textbox", name="Your partner's first name").fill("Alex")
    page.get_by_role("textbox", name="Your name").fill(steps.NAME)
    page.get_by_role("textbox", name="Email address").fill("not-an-address")
    page.get_by_role("textbox", name="What would you like help with?").fill(steps.CONCERNS)
    page.get_by_role("button", name="Send my request").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")

    links = summary.get_by_role("link")
    assert links.count() >= 5
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href").removeprefix("#")
        links.nth(index).click()
        assert page.evaluate("document.activeElement.id") == target
        expect(page.locator(f"#{target}")).to_be_in_viewport()

    expect(steps.journey_radio(page, "couples")).to_be_checked()
    expect(page.get_by_role("textbox", name="Your partner's first name")).to_have_value("Alex")
    expect(page.get_by_role("textbox", name="Your name")).to_have_value(steps.NAME)
    expect(page.get_by_role("textbox", name="Email address")).to_have_value("not-an-address")
    expect(page.get_by_role("textbox", name="What would you like help with?")).to_have_value(
        steps.CONCERNS
    )

    # Putting the mistakes right sends the request.
    steps.fill_request(page, "couples", readiness="unsure")
    steps.send_request(page)
    steps.reference(page)


FOCUS_INDICATOR = """() => {
    const el = document.activeElement;
    // Answer cards draw the ring on the card around the radio.
    const candidates = [el, el.closest(".choice")].filter(Boolean);
    return candidates.some((node) => {
        const style = getComputedStyle(node);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        return outline || style.boxShadow !== "none";
    });
}"""


def tab_to(page, element_id, *, limit=60):
    """Press Tab until the element has focus; every stop on the way must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.outerHTML")
        assert page.evaluate(FOCUS_INDICATOR), f"no visible focus on {focused[:120]}"
        if focused == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_request_form_can_be_completed_with_the_keyboard_alone(page, site):
    page.goto(site + reverse("intake:request"))

    # The crisis question comes first (crisis help first, issue 11).
    tab_to(page, "id_in_crisis_0")
    page.keyboard.press("Space")
    tab_to(page, "id_journey_0")
    page.keyboard.press("ArrowDown")  # Couples sessions
    expect(steps.journey_radio(page, "couples")).to_be_checked()
    tab_to(page, "id_is_adult_0")
    page.keyboard.press("Space")  # 18 or older: yes
    tab_to(page, "id_partner_first_name")
    page.keyboard.type("Alex")
    tab_to(page, "id_partner_readiness_0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # My partner has said no for now
    tab_to(page, "id_wants_now_0")
    page.keyboard.press("Space")
    tab_to(page, "id_partner_safety_0")
    page.keyboard.press("Space")  # No
    tab_to(page, "id_agrees_confidentiality")
    page.keyboard.press("Space")
    tab_to(page, "id_name")
    page.keyboard.type(steps.NAME)
    tab_to(page, "id_email")
    page.keyboard.type(steps.EMAIL)
    tab_to(page, "id_contact_methods_0")
    page.keyboard.press("Space")
    tab_to(page, "id_session_format_0")
    page.keyboard.press("ArrowDown")  # Online (video)
    tab_to(page, "id_region")
    page.keyboard.type("Oregon")
    tab_to(page, "id_online_location_confirmed")
    page.keyboard.press("Space")
    tab_to(page, "id_payment_0")
    page.keyboard.press("Space")
    tab_to(page, "id_concerns")
    page.keyboard.type(steps.CONCERNS)
    tab_to(page, "id_consent")
    page.keyboard.press("Space")
    tab_to(page, "id_acknowledges_not_emergency")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send my request")).to_be_focused()
    assert page.evaluate(FOCUS_INDICATOR)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/request/done/$"))
    steps.reference(page)
    # The copy button and the link are reachable too.
    tab_to(page, "partner-link")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy link")).to_be_focused()
    assert page.evaluate(FOCUS_INDICATOR)


def test_request_form_works_without_javascript(new_context, viewport, site):
    page = new_context(viewport=viewport, java_script_enabled=False).new_page()
    page.goto(site + reverse("intake:request") + "?journey=couples&readiness=declined")
    # Every section shows; nothing depends on the script.
    expect(page.get_by_role("group", name="You and your partner")).to_be_visible()
    steps.fill_request(page, "couples")
    steps.send_request(page)

    steps.reference(page)
    expect(page.get_by_label("Your partner's private link")).to_have_value(
        re.compile(r"/request/partner/[\w-]{43}/$")
    )
    # The copy button needs the script, so without it it stays hidden.
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)

    # Mistakes without JavaScript: the summary is still there, links and all.
    page.goto(site + reverse("intake:request"))
    steps.pick_card(steps.journey_radio(page, "individual"))
    page.get_by_role("textbox", name="Your name").fill(steps.NAME)
    page.get_by_role("button", name="Send my request").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="Please choose where you live.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your name")).to_have_value(steps.NAME)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_form_sent_too_fast_comes_back_whole_and_the_second_send_is_stored(
    new_context, viewport, site, settings, javascript
):
    # As if a person were quicker than the minimum time: Enter on a phone's Go key.
    settings.INTAKE_MIN_SECONDS = 60
    page = new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(site + reverse("intake:request") + "?journey=couples&readiness=not_asked")
    steps.fill_request(page, "couples")

    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Please check your answers and press Send again"
    )
    expect(page).to_have_url(re.compile(r"/request/$"))
    expect(page.get_by_role("textbox", name="What would you like help with?")).to_have_value(
        steps.CONCERNS
    )
    assert not IntakeRequest.objects.exists()

    steps.send_request(page)

    steps.reference(page)
    stored = IntakeRequest.objects.get()
    assert (stored.journey, stored.concerns) == ("couples", steps.CONCERNS)
