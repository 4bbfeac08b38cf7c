from django.urls import path

from . import views

app_name = "registry_io"
urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("export/", views.export_residents, name="export"),
]
