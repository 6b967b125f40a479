from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from credo.front.demo import DEMO_PASSWORD, load_demo, logins


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the SEG Awards and Inspiring Communities programmes, and demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo()
        self.stdout.write(f"Catalogue: {report.summary()}")
        self.stdout.write("")
        self.stdout.write(f"credo demo on {settings.SITE_URL} — every demo login uses the password: {DEMO_PASSWORD}")
        width = max(len(email) for email, _ in logins())
        for email, what in logins():
            self.stdout.write(f"  {email.ljust(width)}  {what}")
