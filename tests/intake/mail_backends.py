"""Mail backends for tests: one whose server is always down."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        # The message quotes an address, as real SMTP errors do: it must not be kept.
        raise ConnectionRefusedError("mail server refused jordan@example.com")
