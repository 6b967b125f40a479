"""Portfolio pages: staff (a cohort's progress, a learner's portfolio to read, its files, formative comments)."""

from django.urls import URLPattern, path

from credo.portfolios.views import staff as views

urlpatterns: list[URLPattern] = [
    path("cohorts/<uuid:public_id>/", views.cohort_progress, name="cohort_progress"),
    path("staff/<int:enrolment_id>/", views.staff_portfolio, name="staff_portfolio"),
    path("staff/<int:enrolment_id>/files/<int:item_id>/", views.staff_download, name="staff_download"),
    path("staff/<int:enrolment_id>/export", views.staff_export, name="staff_export"),
    path("staff/<int:enrolment_id>/sections/<int:section_id>/comments/", views.add_comment, name="staff_comment"),
    path(
        "staff/<int:enrolment_id>/comments/<int:comment_id>/remove/",
        views.remove_comment,
        name="staff_remove_comment",
    ),
]
