from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.capture, name="capture"),
    path("referrals/", views.refer_from_directory, name="refer"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/step/", views.case_transition, name="transition"),
    path("<int:pk>/me-too/", views.case_me_too, name="me_too"),
    path("<int:pk>/photos/", views.case_add_photos, name="add_photos"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
    path("<int:pk>/extension/", views.case_extension, name="extension"),
    path("<int:pk>/merge/", views.case_merge, name="merge"),
    path("<int:pk>/feedback/", views.case_feedback, name="feedback"),
    path("<int:pk>/reporters/<int:reporter_pk>/reveal/", views.reporter_reveal, name="reporter_reveal"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
]
