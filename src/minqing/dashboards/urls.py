from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.area_dashboard, name="area"),
    path("organisation/", views.organisation_dashboard, name="organisation"),
]
