"""Reads that mean something: what a page or an email needs from the database."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, connections, router
from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import (
    Coalesce,
    Concat,
    Lower,
    NullIf,
    Trim,
    TruncMonth,
)
from django.dispatch import receiver
from django.utils import timezone

from articles.models import PARTNER_NOT_READY_TOPIC, Article, ArticleReads, Author
from intake.crypto import SEARCHABLE_CONTACT_DETAILS, search_hash
from intake.models import IntakeRequest, PartnerInvitation, hash_token
from practice.journeys import COUPLES_JOURNEYS, Journey, PartnerVariant, Readiness
from practice.page_cache import content_memo

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
    # Of the request, only what the partner page's variant needs: its encrypted
    # answers would be decrypted for nothing.
    found = (
        _usable_with_token(token)
        .annotate(
            request_journey=F("intake_request__journey"),
            request_readiness=F("intake_request__partner_readiness"),
        )
        .order_by()[:1]
    )
    return next(iter(found), None)


def partner_variant_find(*, token: str) -> PartnerVariant | None:
    """The partner page's variant for a usable invitation's raw token, or None
    (as invitation_find): all that showing the page needs, two columns read
    with the invitation, by SQL the ORM wrote once in this process."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    connection = connections[router.db_for_read(PartnerInvitation)]
    sql, params = _variant_sql(connection.alias).with_values(
        token_hash=hash_token(token),
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    journey, readiness = found
    return PartnerVariant.of(journey=journey, readiness=readiness)


@dataclass(frozen=True)
class _WrittenQuery:
    """SQL the ORM wrote, and where its two values go."""

    sql: str
    params: tuple
    token_hash_at: int
    now_at: int

    def with_values(self, *, token_hash, now):
        params = list(self.params)
        params[self.token_hash_at] = token_hash
        params[self.now_at] = now
        return self.sql, params


# Building and compiling the partner page's look-up took some 2 million
# instructions per visit, running it a quarter of a million: the page is the
# one every partner opens, and a link must be checked on every visit (a used,
# expired or revoked one answers 404 at once), so the look-up is written once.
_written_queries = {}


def _variant_sql(alias: str) -> _WrittenQuery:
    written = _written_queries.get(alias)
    if written is None:
        # Written twice with different stand-ins, the ORM's own usable() rule
        # included: the values that differ are the ones each visit fills in.
        first = _variant_query(alias, token_hash="a" * 64, now=datetime(2000, 1, 1, tzinfo=UTC))
        second = _variant_query(alias, token_hash="b" * 64, now=datetime(2001, 1, 1, tzinfo=UTC))
        if first[0] != second[0]:
            raise RuntimeError("The partner page's look-up is not the same SQL for each value.")
        differ = [i for i, (a, b) in enumerate(zip(first[1], second[1], strict=True)) if a != b]
        token_hash_at = first[1].index("a" * 64)
        (now_at,) = (i for i in differ if i != token_hash_at)
        written = _WrittenQuery(first[0], tuple(first[1]), token_hash_at, now_at)
        _written_queries[alias] = written
    return written


def _variant_query(alias, *, token_hash, now):
    query = (
        PartnerInvitation.objects.usable(now=now)
        .filter(token_hash=token_hash)
        .values_list("intake_request__journey", "intake_request__partner_readiness")
        .order_by()[:1]
    ).query
    return query.get_compiler(using=alias).as_sql()


@receiver(setting_changed)
def _forget_written_queries(**kwargs):
    _written_queries.clear()


def _usable_with_token(token: str):
    # The token hash is unique: no order is needed to take the one row (ordering
    # by id, as first() would, costs a sort clause to build on the busiest page).
    return PartnerInvitation.objects.usable().filter(token_hash=hash_token(token))


def partner_variant(invitation: PartnerInvitation) -> PartnerVariant:
    """Which of the partner page's variants an invitation found by invitation_find gets."""
    return PartnerVariant.of(
        journey=invitation.request_journey, readiness=invitation.request_readiness
    )


def invitation_usable_for(*, intake_request: IntakeRequest) -> PartnerInvitation | None:
    """The request's partner link if it still works now."""
    usable = PartnerInvitation.objects.usable(now=timezone.now())
    return usable.filter(intake_request=intake_request).first()


def partner_articles(variant: PartnerVariant):
    """The articles written to a partner that fit their page's variant, as the
    partner page and the requester's confirmation list them, in the page's language."""
    return Article.objects.published().in_language().for_partners(variant)[:4]


def not_ready_articles():
    """For the requester whose partner is not sure yet: asking, waiting, starting alone."""
    return Article.objects.published().in_language().in_topic(PARTNER_NOT_READY_TOPIC)[:3]


def published_article_id_in_insert(slug: str) -> Subquery:
    """The id of the published article with this slug (NULL for none, a draft,
    one not yet due), as an expression for the request's own insert: the post
    asks no question of its own, and an article unpublished meanwhile is not
    recorded."""
    return Subquery(Article.objects.published().filter(slug=slug).order_by().values("pk")[:1])


def attribution_counts() -> list[dict]:
    """Requests that came from an article, counted per article and month (of
    their arrival, in the practice's time zone), in one query: the total, per
    journey, per partner readiness (couples journeys), and how many became
    clients. Newest month first, then by title. Only counts: no request; none
    held as possible spam, which counts nowhere until released."""
    couples = Q(journey__in=COUPLES_JOURNEYS)
    counts = {
        "total": Count("pk"),
        **{f"journey_{value}": Count("pk", filter=Q(journey=value)) for value in Journey.values},
        **{
            f"readiness_{value}": Count("pk", filter=couples & Q(partner_readiness=value))
            for value in ["", *Readiness.values]
        },
        "became_client": Count("pk", filter=Q(became_client_at__isnull=False)),
    }
    # How often the article was read that month (articles.reads): a count that
    # says nothing about anyone, shown in full beside the requests.
    reads = ArticleReads.objects.filter(
        article=OuterRef("from_article_id"), month=OuterRef("month")
    ).values("count")
    return list(
        IntakeRequest.objects.not_quarantined()
        .filter(from_article__isnull=False)
        # The month's first day in the practice's time zone, as ArticleReads keeps it.
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values("from_article_id", "from_article__title", "month")
        .annotate(**counts, reads=Coalesce(Subquery(reads), 0))
        .order_by("-month", "from_article__title", "from_article_id")
    )


def requests_matching(queryset: QuerySet, term: str) -> QuerySet:
    """The requests whose reference, or exact email, phone number or full name,
    is `term`: the contact details are encrypted, so only their keyed hashes can
    be compared, and a part of a name finds nothing."""
    term = term.strip()
    if not term:
        return queryset
    found = Q(reference__iexact=term) | Q(reference__iexact=f"R-{term}")
    for kind in SEARCHABLE_CONTACT_DETAILS:
        digest = search_hash(kind, term)
        if digest:
            found |= Q(**{f"{kind}_hash": digest})
    return queryset.filter(found)


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


@dataclass(frozen=True)
class RequestChoices:
    """What the request form offers that comes from the clinicians' profiles."""

    regions: list[str]
    # (slug, label) of each clinician a person may ask for, in team order.
    clinicians: list[tuple[str, str]]
    clinician_ids: dict[str, int]
    # False when the database could not be asked.
    is_complete: bool = True


def request_choices() -> RequestChoices:
    """The form's regions and clinicians (see _request_choices_read), read once
    per content version in each process: every form built, a post's included,
    needs them, and they change only when a clinician's profile is saved."""
    return content_memo.get(
        "intake:request-choices", _request_choices_read, keep=lambda found: found.is_complete
    )


def _request_choices_read() -> RequestChoices:
    """The form's regions and clinicians, from one query.

    Regions are the states where a clinician taking new clients holds a
    licence (telehealth follows the client's location, so that is where the
    practice can see anyone), narrowed to settings.PRACTICE_REGIONS when that
    is set. Before any licence is entered, PRACTICE_REGIONS alone.
    """
    configured = list(settings.PRACTICE_REGIONS)
    try:
        rows = list(
            Author.objects.values_list(
                "pk", "slug", "name", "is_accepting_clients", "licences__region"
            )
        )
    except (OperationalError, InterfaceError):
        # The database is down: the form must still take what the person typed
        # back to them (the request itself cannot be stored, and says so).
        return RequestChoices(
            regions=configured, clinicians=[], clinician_ids={}, is_complete=False
        )
    offered, ids, licensed, any_licence = [], {}, set(), False
    for pk, slug, name, accepting, region in rows:
        if slug not in ids:
            ids[slug] = pk
            label = name if accepting else f"{name} (not taking new clients at the moment)"
            offered.append((slug, label))
        if region:
            any_licence = True
            if accepting:
                licensed.add(region)
    if not any_licence:
        regions = configured
    elif configured:
        regions = [region for region in configured if region in licensed]
    else:
        regions = sorted(licensed)
    return RequestChoices(regions=regions, clinicians=offered, clinician_ids=ids)
