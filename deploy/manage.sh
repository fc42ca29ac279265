#!/bin/sh
# manage.py on a server, run exactly as the services run it: as the practice
# user, in /srv/practice, with /etc/practice/practice.env read by systemd (the
# parser the units use, so a value with spaces or "&" means the same thing).
# Its exit status is the command's.
#
#   sudo /srv/practice/deploy/manage.sh migrate
#   sudo /srv/practice/deploy/manage.sh check --deploy --fail-level WARNING
set -eu
# A terminal for commands that ask questions (createsuperuser); pipes otherwise.
if [ -t 0 ]; then io=--pty; else io=--pipe; fi
exec systemd-run --quiet "$io" --wait --collect \
    --uid=practice --gid=practice \
    --property=WorkingDirectory=/srv/practice \
    --property=EnvironmentFile=/etc/practice/practice.env \
    --setenv=PYTHONDONTWRITEBYTECODE=1 \
    /srv/practice/.venv/bin/python manage.py "$@"
