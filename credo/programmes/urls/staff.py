"""Staff pages of a cohort, under /programmes/staff/<cohort public id>/."""

from django.urls import path

from credo.programmes.views import staff as views

urlpatterns = [
    path("staff/<uuid:public_id>/", views.dashboard, name="staff_dashboard"),
    path("staff/<uuid:public_id>/enrolments/", views.enrolment_list, name="staff_enrolments"),
    path("staff/<uuid:public_id>/enrolments/start-study", views.start_study, name="staff_start_study"),
    path("staff/<uuid:public_id>/enrolments/<int:pk>/", views.enrolment_detail, name="staff_enrolment"),
    path(
        "staff/<uuid:public_id>/enrolments/<int:pk>/<slug:move>",
        views.enrolment_move,
        name="staff_enrolment_move",
    ),
    path("staff/<uuid:public_id>/invoices/<int:pk>/payment", views.record_payment, name="staff_record_payment"),
    path("staff/<uuid:public_id>/support/<int:pk>/decide", views.decide_support, name="staff_decide_support"),
    path("staff/<uuid:public_id>/registration/extend", views.extend_registration, name="staff_extend"),
    path("staff/<uuid:public_id>/roster/export", views.roster_export, name="staff_roster_export"),
    path("staff/<uuid:public_id>/roster/import", views.roster_import, name="staff_roster_import"),
    path(
        "staff/<uuid:public_id>/roster/import/confirm",
        views.roster_import_confirm,
        name="staff_roster_import_confirm",
    ),
]
