"""Background work for intake, on Django's tasks framework.

By default (ImmediateBackend) a task runs in the web process right after the
commit that queued it. In production TASKS_BACKEND is
django_tasks_db.DatabaseBackend and `manage.py db_worker` runs the tasks; either
way, `manage.py send_notifications` (from cron) retries whatever failed.
"""

from django.tasks import task

from intake.models import Notification
from intake.services import notification_send


@task
def send_notification(notification_id: int) -> bool:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        # Deleted meanwhile (the request was purged): nothing to send.
        return False
    return notification_send(notification=notification)
