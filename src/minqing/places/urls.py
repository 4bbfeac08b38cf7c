from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("areas/<int:pk>/", views.area_detail, name="area"),
    path("areas/<int:pk>/residents/", views.area_residents, name="area_residents"),
    path("areas/<int:pk>/new/", views.area_create, name="area_create"),
    path("areas/<int:pk>/buildings/new/", views.building_create, name="building_create"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:building_pk>/households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household"),
]
