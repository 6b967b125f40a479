"""Portfolio pages: attestations. The learner's requests under my/…; the attestor's link under attest/<token>/."""

from django.urls import URLPattern, path

from credo.portfolios.views import attestations as views

urlpatterns: list[URLPattern] = [
    path(
        "my/<int:enrolment_id>/sections/<int:section_id>/attestations/new",
        views.new_request,
        name="attestation-new",
    ),
    path("my/<int:enrolment_id>/attestations/", views.request_list, name="attestations"),
    path("my/<int:enrolment_id>/attestations/<int:request_id>/", views.request_detail, name="attestation"),
    path("my/<int:enrolment_id>/attestations/<int:request_id>/cancel", views.cancel, name="attestation-cancel"),
    path("my/<int:enrolment_id>/attestations/<int:request_id>/resend", views.resend, name="attestation-resend"),
    # No account, no sign-in: the token is the only key, and opens this one request's pages and nothing else.
    path("attest/<str:token>/", views.attest, name="attest"),
    path("attest/<str:token>/decline", views.decline, name="attest-decline"),
]
