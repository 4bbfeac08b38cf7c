from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("responsibilities/", views.responsibilities, name="responsibilities"),
    path("responsibilities/<int:pk>/remove/", views.responsibility_remove, name="responsibility_remove"),
]
