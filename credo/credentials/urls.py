from django.urls import path

from credo.credentials import views_public

urlpatterns = [
    path("issuers/<slug:slug>/did.json", views_public.issuer_did, name="issuer-did"),
    path("status/<slug:slug>/<str:purpose>/<int:number>", views_public.status_list, name="status-list"),
    path("credentials/<uuid:public_id>.json", views_public.credential_json, name="credential-json"),
]
