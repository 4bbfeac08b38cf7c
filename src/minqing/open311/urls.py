"""/open311/v2/: the public GeoReport v2 endpoints (api.py), and the staff pages that manage them (views.py,
login required, under manage/)."""

from django.urls import path

from . import api, views

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", api.discovery, name="discovery"),
    path("services.<str:fmt>", api.services, name="services"),
    path("services/<str:service_code>.<str:fmt>", api.service_definition, name="service_definition"),
    path("requests.<str:fmt>", api.requests, name="requests"),
    path("requests/<str:service_request_id>.<str:fmt>", api.request_detail, name="request"),
    path("tokens/<str:token>.<str:fmt>", api.token, name="token"),
    path("servicerequestupdates.<str:fmt>", api.request_updates, name="updates"),
    path("manage/", views.manage, name="manage"),
    path("manage/jurisdictions/new/", views.jurisdiction_edit, name="jurisdiction_new"),
    path("manage/jurisdictions/<int:pk>/", views.jurisdiction_edit, name="jurisdiction_edit"),
    path("manage/clients/new/", views.client_new, name="client_new"),
    path("manage/clients/<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
]
