"""Nautobot's settings for the test server tests/nautobot_fixture.py starts (read by the
Nautobot venv's nautobot-server through NAUTOBOT_CONFIG, never imported by the tests):
its own PostgreSQL and Redis on 127.0.0.1, ports from the environment."""

import os

from nautobot.core.settings import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
# A throwaway test server's, reachable only on 127.0.0.1: not a secret.
SECRET_KEY = "netjob-test-server-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "nautobot",
        "USER": "nautobot",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": os.environ["NETJOB_NAUTOBOT_PG_PORT"],
        "CONN_MAX_AGE": 300,
    }
}
INSTALLATION_METRICS_ENABLED = False
