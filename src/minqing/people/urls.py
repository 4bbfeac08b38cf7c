from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("tag-types/", views.tag_type_list, name="tag_types"),
    path("tag-types/new/", views.tag_type_edit, name="tag_type_create"),
    path("tag-types/<int:pk>/", views.tag_type_edit, name="tag_type_edit"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/status/", views.resident_status, name="resident_status"),
    path("residents/<int:pk>/tags/new/", views.resident_tag, name="resident_tag"),
    path("residents/<int:pk>/tags/<int:tag_pk>/remove/", views.resident_untag, name="resident_untag"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
]
