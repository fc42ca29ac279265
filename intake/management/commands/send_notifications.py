from django.core.management.base import BaseCommand

from intake.notifications import notifications_retry


class Command(BaseCommand):
    help = (
        "Send every notification email that has not gone out yet (run it from cron "
        "every few minutes; a failed send is retried up to ten times)."
    )

    def handle(self, *args, **options):
        sent, unsent = notifications_retry()
        self.stdout.write(f"Sent {sent} notification(s); {unsent} still unsent.")
