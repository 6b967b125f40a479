"""Staff pages of an issuer, under /issuing/<organisation slug>/."""

from django.urls import path

from credo.credentials import views_issuing

app_name = "issuing"

urlpatterns = [
    path("<slug:slug>/", views_issuing.home, name="home"),
    path("<slug:slug>/setup", views_issuing.setup, name="setup"),
    path("<slug:slug>/profile", views_issuing.profile, name="profile"),
    path("<slug:slug>/keys/rotate", views_issuing.rotate_key, name="rotate-key"),
    path("<slug:slug>/award", views_issuing.award, name="award"),
    path("<slug:slug>/award/bulk", views_issuing.bulk_award, name="bulk"),
    path("<slug:slug>/award/bulk/template.csv", views_issuing.bulk_template, name="bulk-template"),
    path("<slug:slug>/award/bulk/<int:batch_id>", views_issuing.batch, name="batch"),
    path("<slug:slug>/achievements/<uuid:public_id>", views_issuing.achievement_validity, name="validity"),
    path(
        "<slug:slug>/achievements/<uuid:public_id>/reissue",
        views_issuing.reissue_achievement,
        name="reissue-achievement",
    ),
    path("<slug:slug>/credentials", views_issuing.credentials, name="credentials"),
    path("<slug:slug>/credentials/<uuid:public_id>", views_issuing.credential, name="credential"),
]
