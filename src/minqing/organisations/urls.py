from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("merchants/", views.merchant_list, name="merchants"),
    path("merchants/new/", views.merchant_create, name="merchant_create"),
    path("merchants/<int:pk>/", views.merchant_detail, name="merchant"),
    path("merchants/<int:pk>/edit/", views.merchant_edit, name="merchant_edit"),
    path("merchants/<int:pk>/reveal/", views.merchant_reveal, name="merchant_reveal"),
]
