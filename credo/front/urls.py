from django.urls import path

from credo.front import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dev/outbox/", views.outbox, name="outbox"),
    path("dev/outbox/<str:name>/", views.outbox_message, name="outbox-message"),
    path("dev/outbox/<str:name>/<int:number>/", views.outbox_attachment, name="outbox-attachment"),
]
