"""Every role gets exactly its rights on every admin URL.

The URLs come from the admin itself: every registered model's own patterns and
the site's. Each is opened with GET and with an empty POST (which submits no
change) by someone not signed in, by a staff member signed in without a second
factor, by an Editor, a Clinician and a superuser. A model or a view that the
tables below do not know fails the test: whoever adds one decides who may use it.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.admin_pages import AdminURL, admin_urls, concrete, one_of_each
from tests.conftest import otp_login

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no second factor", "editor", "clinician", "superuser"]
SIGNED_OUT = ("anonymous", "no second factor")
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERYTHING = {VIEW, ADD, CHANGE, DELETE}
READ_ONLY = {VIEW}

# What each role may do with each registered model, as the admin lets them. A role
# not named has no right at all: every page of that model is 403 to it.
MODEL_RIGHTS = {
    "auth.group": {"superuser": EVERYTHING},
    "auth.user": {"superuser": EVERYTHING},
    # Tasks, devices and sign-in attempts: superusers only, and nobody reads or
    # adds an authenticator key here.
    "django_tasks_database.dbtaskresult": {"superuser": READ_ONLY},
    "otp_totp.totpdevice": {"superuser": EVERYTHING},
    "otp_static.staticdevice": {"superuser": EVERYTHING},
    "axes.accessattempt": {"superuser": {VIEW, CHANGE, DELETE}},
    "axes.accesslog": {"superuser": {VIEW, CHANGE, DELETE}},
    "axes.accessfailurelog": {"superuser": {VIEW, CHANGE, DELETE}},
    # Editors keep the content; clinicians read it.
    "articles.topic": {"editor": EVERYTHING, "clinician": READ_ONLY, "superuser": EVERYTHING},
    "articles.author": {"editor": EVERYTHING, "clinician": READ_ONLY, "superuser": EVERYTHING},
    "articles.articleimage": {"editor": EVERYTHING, "superuser": EVERYTHING},
    "articles.article": {"editor": EVERYTHING, "clinician": READ_ONLY, "superuser": EVERYTHING},
    "articles.page": {"editor": EVERYTHING, "superuser": EVERYTHING},
    # Requests come from the public form only; editors see none of intake.
    "intake.intakerequest": {"clinician": {VIEW, CHANGE}, "superuser": {VIEW, CHANGE, DELETE}},
    "intake.notification": {"clinician": READ_ONLY, "superuser": READ_ONLY},
    "intake.partnerinvitation": {"clinician": READ_ONLY, "superuser": READ_ONLY},
    "intake.accessrecord": {"superuser": READ_ONLY},
    # Requests per article: counts only, no request, so editors too.
    "intake.attributionreport": {
        "editor": READ_ONLY,
        "clinician": READ_ONLY,
        "superuser": READ_ONLY,
    },
}
# Models whose history pages (list and old versions) need the change right.
HISTORY_NEEDS_CHANGE = {"articles.article", "articles.author", "articles.page"}

SIGNED_OUT_ANSWER = {"anonymous": (302, 302), "no second factor": (302, 302)}


def answers(editor, clinician, superuser, **signed_out):
    """(GET, POST) statuses per role; signed-out people are sent to sign in."""
    return (
        SIGNED_OUT_ANSWER
        | {name.replace("_", " "): value for name, value in signed_out.items()}
        | {"editor": editor, "clinician": clinician, "superuser": superuser}
    )


# The site's own views and the project's additions to model admins.
VIEWS = {
    "index": answers((200, 200), (200, 200), (200, 200)),
    # Signed in with a second factor, the sign-in page sends you on; a post is
    # another sign-in attempt (an empty one: asked again).
    "login": answers(
        (302, 200), (302, 200), (302, 200), anonymous=(200, 200), no_second_factor=(200, 200)
    ),
    "logout": answers((405, 200), (405, 200), (405, 200)),
    "password_change": answers((200, 200), (200, 200), (200, 200)),
    "password_change_done": answers((200, 405), (200, 405), (200, 405)),
    "jsi18n": answers((200, 405), (200, 405), (200, 405)),
    # The article form's author search: authors are public.
    "autocomplete": answers((200, 405), (200, 405), (200, 405)),
    "view_on_site": answers((302, 302), (302, 302), (302, 302)),
    # The intake app's index page: for editors, only the requests per article.
    "app_list": answers((200, 200), (200, 200), (200, 200)),
    "catch_all": answers((404, 404), (404, 404), (404, 404)),
    "auth_user_password_change": answers((403, 403), (403, 403), (200, 200)),
    "otp_totp_totpdevice_config": answers((403, 403), (403, 403), (403, 403)),
    "otp_totp_totpdevice_qrcode": answers((403, 403), (403, 403), (403, 403)),
    "intake_intakerequest_revoke": answers((403, 403), (200, 302), (200, 302)),
    # A one-click step ("Assign to me"): a post only.
    "intake_intakerequest_triage": answers((403, 403), (405, 302), (405, 302)),
    # A new partner link: confirmed first (here refused: the partner has answered).
    "intake_intakerequest_replace_link": answers((403, 403), (200, 302), (200, 302)),
    # Possible spam, for whoever triages: release is a post only; delete asks
    # first (here refused: the request is in the queue, not held).
    "intake_intakerequest_release": answers((403, 403), (405, 302), (405, 302)),
    "intake_intakerequest_discard": answers((403, 403), (200, 302), (200, 302)),
}

# Where a standard page answers otherwise than its rights alone say, and why.
STANDARD_EXCEPTIONS = {
    # axes' records have no field to edit: an empty post "saves" nothing and
    # returns to the list.
    "axes_accessattempt_change": {"superuser": (200, 302)},
    "axes_accesslog_change": {"superuser": (200, 302)},
    "axes_accessfailurelog_change": {"superuser": (200, 302)},
    # The report is read only: a post is refused whoever sends it.
    "intake_attributionreport_changelist": {
        "editor": (200, 405),
        "clinician": (200, 405),
        "superuser": (200, 405),
    },
}


def expected(url: AdminURL) -> dict[str, tuple[int, int]]:
    if url.kind == "view":
        assert url.key in VIEWS, f"new view not in the matrix: {url.key}"
        return VIEWS[url.key]
    assert url.model in MODEL_RIGHTS, f"new model not in the matrix: {url.model}"
    rights = MODEL_RIGHTS[url.model]
    statuses = dict(SIGNED_OUT_ANSWER)
    for role in ("editor", "clinician", "superuser"):
        statuses[role] = _standard(url, rights.get(role, set()))
    return statuses | STANDARD_EXCEPTIONS.get(url.key, {})


def _standard(url: AdminURL, rights: set[str]) -> tuple[int, int]:
    def allowed(ok: bool) -> int:
        return 200 if ok else 403

    reads = bool(rights & {VIEW, CHANGE})
    if url.kind == "redirect":
        # <id>/ only points at <id>/change/, whoever asks.
        return 302, 302
    if url.kind == "changelist":
        return allowed(reads), allowed(reads)
    if url.kind in ("add", "delete"):
        # An empty post submits nothing: the form or confirmation again.
        right = ADD if url.kind == "add" else DELETE
        return allowed(right in rights), allowed(right in rights)
    if url.kind == "change":
        return allowed(reads), allowed(CHANGE in rights)
    # history and simple_history (an old version, with its revert form)
    if url.model in HISTORY_NEEDS_CHANGE or url.kind == "simple_history":
        return allowed(CHANGE in rights), allowed(CHANGE in rights)
    return allowed(reads), allowed(reads)


ADMIN_URLS = admin_urls()


@pytest.fixture
def objects(settings):
    return one_of_each(settings)


def role_clients(django_user_model):
    def member(username, group):
        user = django_user_model.objects.create_user(username, password="x" * 16, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return otp_login(Client(), user)

    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    unverified = Client()
    unverified.force_login(
        django_user_model.objects.create_superuser("nofactor", "nf@example.org", "x" * 16)
    )
    # In order of rights: a post that does something (revoking a link) comes last.
    return {
        "anonymous": Client(),
        "no second factor": unverified,
        "editor": member("editor", "Editors"),
        "clinician": member("clinician", "Clinicians"),
        "superuser": otp_login(Client(), root),
    }


@pytest.mark.parametrize("url", ADMIN_URLS, ids=[url.key for url in ADMIN_URLS])
def test_each_role_gets_exactly_its_rights(url, objects, django_user_model):
    wanted = expected(url)
    address = concrete(url, objects)
    clients = role_clients(get_user_model())

    seen = {
        role: (clients[role].get(address).status_code, clients[role].post(address).status_code)
        for role in ROLES
    }

    assert seen == wanted, f"{address}: " + ", ".join(
        f"{role} {seen[role]} (expected {wanted[role]})"
        for role in ROLES
        if seen[role] != wanted[role]
    )


def test_the_matrix_covers_every_registered_model_and_the_sites_views():
    keys = {url.key for url in ADMIN_URLS}
    models = {url.model for url in ADMIN_URLS if url.model}

    assert models == set(MODEL_RIGHTS)
    assert {"index", "login", "logout", "autocomplete", "app_list", "catch_all"} <= keys
    assert set(VIEWS) <= keys, set(VIEWS) - keys
