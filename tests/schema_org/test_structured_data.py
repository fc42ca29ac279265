"""Every type and property in the site's JSON-LD is one that schema.org defines there.

Checked against vocabulary.json (made by make_vocabulary.py from schema.org's
own vocabulary): a property is allowed on a type when schema.org's
domainIncludes names the type or one of its supertypes.
"""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Author

pytestmark = pytest.mark.django_db

VOCABULARY = json.loads(Path(__file__).with_name("vocabulary.json").read_text(encoding="utf-8"))
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def problems_in(node, where):
    """Unknown types and misplaced properties in `node` and everything inside it."""
    if isinstance(node, list):
        return [problem for item in node for problem in problems_in(item, where)]
    if not isinstance(node, dict):
        return []
    if "@graph" in node:
        return problems_in(node["@graph"], where)
    found = []
    kind = node.get("@type")
    if kind is None:
        # A reference to a node described elsewhere: {"@id": …} only.
        return [] if set(node) <= {"@id"} else [f"{where}: a node without @type: {node}"]
    if kind not in VOCABULARY:
        return [f"{where}: {kind} is not a type the tests know (add it to make_vocabulary.py)"]
    allowed = set(VOCABULARY[kind]["properties"])
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name not in allowed:
            found.append(f"{where}: schema.org does not define {name} on {kind}")
        found.extend(problems_in(value, f"{where} › {kind}.{name}"))
    return found


def structured_data(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [json.loads(block) for block in JSON_LD.findall(response.content.decode())]


def site_urls():
    reviewed = Article.objects.published().exclude(reviewer=None).first()
    return [
        reverse("home"),
        reverse("articles:list"),
        reviewed.get_absolute_url(),
        reverse("articles:topic", kwargs={"slug": "for-partners"}),
        reverse("team"),
        *(author.get_absolute_url() for author in Author.objects.all()),
        reverse("fees"),
        reverse("privacy"),
        reverse("accessibility"),
        reverse("contact"),
    ]


def test_every_type_and_property_the_site_emits_is_in_the_vocabulary(client):
    call_command("load_demo_content", verbosity=0)
    problems, types = [], set()
    for url in site_urls():
        for data in structured_data(client, url):
            problems.extend(problems_in(data, url))
            types.update(re.findall(r'"@type": "(\w+)"', json.dumps(data)))
    assert problems == []
    # The test proves something only if the pages carry the types it is about.
    assert {"BlogPosting", "WebPage", "ProfilePage", "MedicalBusiness", "Person"} <= types


def test_the_check_finds_a_property_on_the_wrong_type():
    posting = {"@type": "BlogPosting", "headline": "Hi", "reviewedBy": {"@type": "Person"}}
    assert problems_in(posting, "x") == ["x: schema.org does not define reviewedBy on BlogPosting"]
    assert problems_in({"@type": "Persn"}, "x")


def test_a_clinician_page_is_a_profile_of_a_person_with_credentials(client):
    call_command("load_demo_content", verbosity=0)
    maya = Author.objects.get(slug="maya-okafor")
    profile = next(
        data
        for data in structured_data(client, maya.get_absolute_url())
        if data["@type"] == "ProfilePage"
    )
    person = profile["mainEntity"]
    assert person["@type"] == "Person"
    assert person["honorificSuffix"] == "PhD, LMFT"
    assert "jobTitle" not in person
    assert [(c["credentialCategory"], c["validIn"]["name"]) for c in person["hasCredential"]] == [
        ("license", "Oregon"),
        ("license", "Washington"),
    ]


def test_the_practice_is_a_medical_business_with_its_opening_hours(client, settings):
    settings.PRACTICE_HOURS = "Mo-Tu 09:00-17:00; Sa 10:00-12:00"
    call_command("load_demo_content", verbosity=0)
    business = next(
        data
        for data in structured_data(client, reverse("contact"))
        if data["@type"] == "MedicalBusiness"
    )
    assert business["telephone"] == settings.PRACTICE_PHONE
    assert business["address"] == settings.PRACTICE_ADDRESS
    assert business["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Monday", "https://schema.org/Tuesday"],
            "opens": "09:00",
            "closes": "17:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Saturday"],
            "opens": "10:00",
            "closes": "12:00",
        },
    ]
