from django.urls import path

from . import views

app_name = "diary"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_new, name="new"),
    path("subjects/", views.subject_options, name="subjects"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/to-case/", views.entry_to_case, name="to_case"),
]
