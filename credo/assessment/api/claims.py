"""Assessment API: claims."""

from credo.assessment.api.router import router  # noqa: F401 - the endpoints below add to it
