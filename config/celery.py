"""The Celery application: long analysis runs, when CELERY_BROKER_URL is set.

Start a worker with ``celery -A config worker``; without a broker, runs stay in the
web process (see network_analysis.services.run_dispatch).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jointops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
