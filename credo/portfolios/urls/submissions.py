"""Portfolio pages: submissions (check and submit, receipts, submitted attempts, exports, deadline extensions)."""

from django.urls import URLPattern, path

from credo.portfolios.views import submissions

urlpatterns: list[URLPattern] = [
    path("my/<int:enrolment_id>/submit", submissions.check_and_submit, name="submit"),
    path("my/<int:enrolment_id>/export", submissions.portfolio_export, name="portfolio-export"),
    path("my/<int:enrolment_id>/submissions/<int:attempt>", submissions.submission, name="submission"),
    path("my/<int:enrolment_id>/submissions/<int:attempt>/receipt", submissions.receipt, name="submission-receipt"),
    path(
        "my/<int:enrolment_id>/submissions/<int:attempt>/export",
        submissions.submission_export,
        name="submission-export",
    ),
    path(
        "my/<int:enrolment_id>/submissions/<int:attempt>/files/<int:file_id>",
        submissions.submitted_file,
        name="submission-file",
    ),
    path("staff/<int:enrolment_id>/extension", submissions.deadline_extension, name="deadline-extension"),
]
