"""One way of writing dates and times for staff, everywhere in the admin:
2026-12-01 14:05. Unambiguous, sortable by eye, and short enough for the queue's
columns. (The public pages write their dates out in words, with formats of their
own, so only the admin reads these.)"""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
