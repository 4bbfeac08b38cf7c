from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/<int:pk>/columns/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("export/", views.export, name="export"),
]
