"""Shared intake fixtures: requests as the public form stores them, and staff."""

import secrets
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from intake.models import (
    IntakeRequest,
    Note,
    PartnerInvitation,
    PartnerResponse,
    hash_token,
    new_reference,
)
from tests.conftest import otp_login


@pytest.fixture
def make_request():
    """Create an IntakeRequest with valid defaults; keyword arguments override them."""

    def make(**overrides):
        now = timezone.now()
        fields = {
            "reference": new_reference(),
            "submission_key": uuid.uuid4(),
            "journey": "individual",
            "name": "Sam Rivera",
            "email": "sam@example.com",
            "phone": "555-0100",
            "is_email_ok": True,
            "session_format": "online",
            "region": "Oregon",
            "availability": ["weekday_evening"],
            "payment": "self_pay",
            "concerns": "We keep having the same argument about my mother.",
            "in_crisis": "no",
            "consented_at": now,
            "acknowledged_not_emergency_at": now,
        }
        if overrides.get("journey") in ("couples", "intensive"):
            fields |= {
                "partner_first_name": "Alex",
                "partner_readiness": "not_asked",
                "wants_individual_now": True,
                "partner_safety": "no",
                "agreed_confidentiality_at": now,
            }
        if overrides.get("status") == IntakeRequest.Status.CLOSED:
            fields["closed_at"] = now
        fields |= overrides
        return IntakeRequest.objects.create(**fields)

    return make


@pytest.fixture
def make_invitation():
    def make(request, **overrides):
        fields = {
            "intake_request": request,
            "token_hash": hash_token(secrets.token_urlsafe(32)),
            "expires_at": timezone.now() + timedelta(days=60),
        }
        return PartnerInvitation.objects.create(**(fields | overrides))

    return make


@pytest.fixture
def make_partner_response(make_invitation):
    """A partner's answer; the invitation is marked used, as the partner page does."""

    def make(request, **overrides):
        invitation = make_invitation(request, used_at=timezone.now())
        fields = {
            "invitation": invitation,
            "intake_request": request,
            "answer": "join",
            "name": "Alex Kim",
            "email": "alex@example.com",
            "message": "I am nervous about this but willing to try.",
            "partner_safety": "no",
            "in_crisis": "no",
            "consented_at": timezone.now(),
        }
        return PartnerResponse.objects.create(**(fields | overrides))

    return make


@pytest.fixture
def make_note():
    def make(request, *, author=None, body="Called back; left no voicemail as asked."):
        return Note.objects.create(intake_request=request, author=author, body=body)

    return make


@pytest.fixture
def make_staff(db):
    """A staff user in the given role (group name), with any extra permissions."""

    def make(username, *, role=None, perms=()):
        user = User.objects.create_user(username, f"{username}@example.com", "a-long-password!")
        user.is_staff = True
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


@pytest.fixture
def clinician(make_staff):
    return make_staff("clinician", role="Clinicians")


@pytest.fixture
def editor(make_staff):
    return make_staff("editor", role="Editors")


@pytest.fixture
def clinician_client(client, clinician):
    return otp_login(client, clinician)


@pytest.fixture
def editor_client(client, editor):
    return otp_login(client, editor)
