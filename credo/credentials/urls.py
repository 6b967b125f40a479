from django.urls import path

from credo.credentials import views_pages, views_public, views_verify

urlpatterns = [
    path("issuers/<slug:slug>/did.json", views_public.issuer_did, name="issuer-did"),
    path("status/<slug:slug>/<str:purpose>/<int:number>", views_public.status_list, name="status-list"),
    path("credentials/<uuid:public_id>.json", views_public.credential_json, name="credential-json"),
    path("credentials/", views_pages.my_credentials, name="my-credentials"),
    path("credentials/<uuid:public_id>", views_pages.credential_page, name="credential-page"),
    path("credentials/<uuid:public_id>.pdf", views_pages.credential_pdf, name="credential-pdf"),
    path("credentials/<uuid:public_id>.png", views_pages.credential_badge_png, name="credential-badge-png"),
    path("credentials/<uuid:public_id>.svg", views_pages.credential_badge_svg, name="credential-badge-svg"),
    path("credentials/<uuid:public_id>/sharing", views_pages.credential_sharing, name="credential-sharing"),
    path("achievements/<uuid:public_id>", views_pages.achievement_page, name="achievement-page"),
    path("achievements/<uuid:public_id>/badge.svg", views_pages.achievement_badge_svg, name="achievement-badge-svg"),
    path("achievements/<uuid:public_id>/badge.png", views_pages.achievement_badge_png, name="achievement-badge-png"),
    path("issuers/<slug:slug>", views_pages.issuer_page, name="issuer-page"),
    path("verify", views_verify.verify, name="verify"),
]
