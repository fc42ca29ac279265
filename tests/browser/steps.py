"""What a person does on the site, in Playwright terms: find a question by its
words, answer it, send. Locators go by visible labels and roles, as a screen
reader user would, never by CSS class."""

import re

from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

REFERENCE = re.compile(r"^R-[A-Z0-9]{6,}$")

JOURNEY_LABELS = {
    "individual": "Individual sessions for me",
    "couples": "Couples sessions",
    "intensive": "A couples intensive",
    "consult": "I'm not sure yet",
}
READINESS_LABELS = {
    "agreed": "My partner wants to come",
    "unsure": "My partner is unsure",
    "declined": "My partner has said no for now",
    "not_asked": "I haven't asked my partner yet",
}
PARTNER_ANSWER_LABELS = {
    "join": "I'd like to join",
    "questions": "I have questions first",
    "not_now": "Not right now",
}

CONCERNS = "We keep having the same argument about money, late at night."
NAME = "Jordan Rivers"
EMAIL = "jordan@example.com"


def group(page: Page, legend: str) -> Locator:
    """A fieldset, found by its legend."""
    return page.get_by_role("group", name=legend)


def choose(page: Page, legend: str, label: str) -> None:
    group(page, legend).get_by_label(label, exact=True).check()


def pick_card(radio: Locator) -> None:
    """Choose an answer shown as a card: the card is its label, drawn over the
    radio, so the click lands on the label (as a person's does) and checks it."""
    radio.check(force=True)


def journey_radio(page: Page, journey: str) -> Locator:
    return group(page, "What would you like help with?").get_by_label(JOURNEY_LABELS[journey])


def fill_about_you(page: Page) -> None:
    page.get_by_role("textbox", name="Your name").fill(NAME)
    page.get_by_role("textbox", name="Email address").fill(EMAIL)
    group(page, "How is it safe for us to contact you?").get_by_label("Email").check()


def fill_sessions(page: Page) -> None:
    """Online sessions, from Oregon, paying for them oneself."""
    choose(page, "How would you like to meet?", "Online (video)")
    page.get_by_label("during online sessions").check()
    page.get_by_label("Where do you live?").select_option("Oregon")
    choose(page, "How would you like to pay?", "Self-pay")


def fill_request(
    page: Page,
    journey: str,
    *,
    readiness: str | None = None,
    safety: str = "No",
    crisis: str = "No",
) -> None:
    """Answer every question the journey needs; readiness None keeps what is chosen."""
    pick_card(journey_radio(page, journey))
    if journey in ("couples", "intensive"):
        page.get_by_role("textbox", name="Your partner's first name").fill("Alex")
        if readiness:
            choose(page, "Where is your partner", READINESS_LABELS[readiness])
        wants_now = group(page, "While your partner decides, what would you like?")
        if wants_now.is_visible():
            wants_now.get_by_label("Start individual sessions for me now").check()
        choose(page, "Has your partner ever hurt, threatened or frightened you?", safety)
        page.get_by_label("I have read how privacy works between partners").check()
    choose(page, "Are you 18 or older?", "Yes")
    fill_about_you(page)
    fill_sessions(page)
    page.get_by_role("textbox", name="What would you like help with?").fill(CONCERNS)
    choose(page, "Are you in immediate danger", crisis)
    page.get_by_label("You may contact me about this request").check()
    page.get_by_label("I understand this form is not for emergencies").check()


def send_request(page: Page) -> None:
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/request/done/$"))


def reference(page: Page) -> str:
    value = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(value), value
    return value


def partner_link(page: Page) -> str:
    return page.get_by_label("Your partner's private link").input_value()


def answer_as_partner(page: Page, answer: str, *, safety: str = "No", crisis: str = "No") -> None:
    # The crisis question comes first, for every answer.
    choose(page, "Are you in immediate danger", crisis)
    pick_card(group(page, "What would you like to do?").get_by_label(PARTNER_ANSWER_LABELS[answer]))
    if answer in ("join", "questions"):
        page.get_by_role("textbox", name="Your name").fill("Alex Kim")
        page.get_by_role("textbox", name="Email address").fill("alex@example.com")
        group(page, "How is it safe for us to contact you?").get_by_label("Email").check()
        choose(page, "Has your partner ever hurt, threatened or frightened you?", safety)
    if answer == "join":
        page.get_by_label("You may contact me in the ways I chose above").check()
    page.get_by_role("textbox", name="Anything you would like to say or ask?").fill(
        f"Partner says {answer} PARTNER-SECRET"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    # No retrying: the answer has been sent, and where it landed is final.
    assert page.url.endswith("/request/partner/done/"), page.locator("main").inner_text()


def sign_in_staff(page: Page, site: str, username: str, password: str, code: str) -> None:
    """The admin's one sign-in form: username, password and the app's code."""
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(site + reverse("admin:index"))
