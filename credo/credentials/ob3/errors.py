"""What goes wrong with a credential, in words a person can act on."""


class CredentialError(ValueError):
    """A credential, key or document that credo cannot use; the message says why."""


class DocumentRejected(CredentialError):  # noqa: N818 (a verdict, like Django's PermissionDenied)
    """A JSON-LD document that is not safe to sign or verify.

    ``problems`` lists every reason (undefined terms, relative IRIs, dates
    without a time zone, unknown contexts), so the author can fix them all at once.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
