"""`manage.py reseal_signing_keys`: re-encrypt issuers' signing keys under the current key-encryption key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credo.credentials.kek import KeyEncryptionError
from credo.credentials.services.issuers import reseal_signing_keys


class Command(BaseCommand):
    help = (
        "After setting a new CREDO_KEY_ENCRYPTION_KEY (with the old one in CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS), "
        "re-encrypt every signing key under the new one. All or nothing; safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = reseal_signing_keys(actor="manage.py reseal_signing_keys")
        except KeyEncryptionError as error:
            raise CommandError(f"Nothing was changed: {error}.") from error
        if count:
            self.stdout.write(f"Re-encrypted {count} signing key(s) under the current key-encryption key.")
            self.stdout.write("You can now remove the old key from CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS.")
        else:
            self.stdout.write("Every signing key is already encrypted under the current key-encryption key.")
