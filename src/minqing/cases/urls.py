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
]
