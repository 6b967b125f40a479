from __future__ import annotations

import time
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from credo.accounts.models import Membership, Organisation, OrganisationKind, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@credo.example")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        """Every factory user has a verified primary address, as allauth requires to sign in."""
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganisationKind.PROVIDER
    country = "GB"
    time_zone = "Europe/London"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "learner"


def give_authenticator(user: User) -> str:
    """Set up an authenticator app (TOTP) for ``user``, as allauth's page does; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def authenticator_code(secret: str) -> str:
    """The code the authenticator app with ``secret`` shows now (RFC 6238: one per ``MFA_TOTP_PERIOD`` seconds)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
