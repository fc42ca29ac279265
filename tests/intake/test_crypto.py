import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from intake.models import IntakeRequest, Note, PartnerResponse
from tests.factories import IntakeRequestFactory, NoteFactory, PartnerResponseFactory

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def raw_value(obj, column):
    table = connection.ops.quote_name(obj._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [obj.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def confided():
    """One of each kind of thing told in confidence, and what was said."""
    intake_request = IntakeRequestFactory(
        journey="couples",
        concerns="I think we are drifting apart.",
        partner_safety="prefer_not",
        in_crisis="yes",
    )
    partner = PartnerResponseFactory(
        intake_request=intake_request,
        message="I want to come but I am scared.",
        partner_safety="yes",
    )
    note = NoteFactory(intake_request=intake_request, body="Flagged: call only on the mobile.")
    return [
        (intake_request, "concerns", "I think we are drifting apart."),
        (intake_request, "partner_safety", "prefer_not"),
        (intake_request, "in_crisis", "yes"),
        (intake_request, "partner_first_name", "Alex"),
        (partner, "message", "I want to come but I am scared."),
        (partner, "partner_safety", "yes"),
        (partner, "email", "alex@example.com"),
        (note, "body", "Flagged: call only on the mobile."),
    ]


def test_raw_columns_hold_ciphertext_and_the_orm_reads_plaintext(confided):
    for obj, column, said in confided:
        raw = raw_value(obj, column)
        assert said not in raw, column
        assert raw.startswith("gAAAAA"), column  # a Fernet token
        assert getattr(type(obj).objects.get(pk=obj.pk), column) == said


def test_nothing_said_is_stored_as_an_empty_string():
    intake_request = IntakeRequestFactory(concerns="")

    assert raw_value(intake_request, "concerns") == ""
    assert IntakeRequest.objects.get(pk=intake_request.pk).concerns == ""


def test_rotation_re_encrypts_everything_with_the_first_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    intake_request = IntakeRequestFactory(journey="couples", concerns="Old key words")
    partner = PartnerResponseFactory(intake_request=intake_request, message="Partner words")
    note = NoteFactory(intake_request=intake_request, body="Note words")
    columns = [(intake_request, "concerns"), (partner, "message"), (note, "body")]
    before = {column: raw_value(obj, column) for obj, column in columns}
    updated_at = intake_request.updated_at

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_encryption_keys", "--batch-size", "1", stdout=(out := _Output()))

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    for obj, column in columns:
        assert raw_value(obj, column) != before[column]
    intake_request = IntakeRequest.objects.get(pk=intake_request.pk)
    assert intake_request.concerns == "Old key words"
    assert intake_request.partner_first_name == "Alex"
    assert intake_request.updated_at == updated_at
    assert PartnerResponse.objects.get(pk=partner.pk).message == "Partner words"
    assert Note.objects.get(pk=note.pk).body == "Note words"
    assert "intake.Note: 1 value(s) re-encrypted" in out.text


def test_rotation_without_the_old_key_changes_nothing(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    first = IntakeRequestFactory(concerns="First")
    second = IntakeRequestFactory(concerns="Second")
    before = [raw_value(r, "concerns") for r in (first, second)]

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_encryption_keys", stdout=_Output())

    assert [raw_value(r, "concerns") for r in (first, second)] == before


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
