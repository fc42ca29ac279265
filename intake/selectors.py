"""Reads that mean something: what a page or an email needs from the database."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone

from articles.models import Article
from intake.models import IntakeRequest, PartnerInvitation, hash_token

# Real tokens are 43 characters; anything much longer is not worth hashing.
_MAX_TOKEN_LENGTH = 100
# The staff roles: groups made by migration 0002_roles, which spells them out
# itself (a migration never imports the app it belongs to).
CLINICIANS_GROUP = "Clinicians"
EDITORS_GROUP = "Editors"


def invitation_find(*, token: str) -> PartnerInvitation | None:
    """The usable invitation for a raw token, or None (unknown, expired, used, revoked)."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    # Without the request: the partner's page needs nothing of it, and its
    # encrypted answers would be decrypted for nothing.
    return PartnerInvitation.objects.usable().filter(token_hash=hash_token(token)).first()


def invitation_usable_for(*, intake_request: IntakeRequest) -> PartnerInvitation | None:
    """The request's partner link if it still works now."""
    usable = PartnerInvitation.objects.usable(now=timezone.now())
    return usable.filter(intake_request=intake_request).first()


def partner_articles():
    """The articles written for hesitant partners, as the partner page and the
    requester's confirmation list them."""
    return Article.objects.published().in_topic("for-partners").distinct()[:4]


def clinicians(*, keeping: int | None = None) -> QuerySet:
    """Active members of Clinicians, the people a request can be assigned to.

    `keeping` is the id of whoever a request is assigned to already: they stay
    a choice after leaving the group, so that the request can still be saved.
    """
    users = get_user_model()._default_manager
    members = Q(is_active=True, groups__name=CLINICIANS_GROUP)
    if keeping is not None:
        members |= Q(pk=keeping)
    # In the order of the names shown (staff_name), as a person scans a list.
    shown_name = Coalesce(
        NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username"
    )
    return users.filter(members).distinct().order_by(Lower(shown_name), "username")


def staff_name(user) -> str:
    """How staff are named to each other: full name, or the username without one."""
    return user.get_full_name() or user.get_username()
