from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("responsibilities/", views.responsibilities, name="responsibilities"),
    path("categories/", views.categories, name="categories"),
    path("categories/new/", views.category_edit, name="category_new"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("responsibilities/<int:pk>/remove/", views.responsibility_remove, name="responsibility_remove"),
]
