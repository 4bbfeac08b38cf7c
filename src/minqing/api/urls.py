from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import pages, views

router = SimpleRouter(use_regex_path=False)
router.register("areas", views.AreaViewSet, basename="area")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("directory/responsibilities", views.ResponsibilityViewSet, basename="responsibility")
router.register("cases", views.CaseViewSet, basename="case")
router.register("extensions", views.ExtensionViewSet, basename="extension")
router.register("diary", views.DiaryViewSet, basename="diary")

v1 = [path("directory/handlers/", views.HandlersView.as_view(), name="handlers"), *router.urls]

# What the OpenAPI schema describes: version 1 at its full path, nothing else of the site.
schema_patterns = [path("api/v1/", include((v1, "v1")))]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    # Anything else under v1/: a 404 in the API's error shape, not the site's HTML page.
    path("v1/", views.NotFoundView.as_view(), name="v1_root"),
    path("v1/<path:rest>", views.NotFoundView.as_view(), name="not_found"),
    path("schema/", pages.SchemaView.as_view(patterns=schema_patterns), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("token/", pages.token, name="token"),
    path("webhooks/", pages.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", pages.webhook, name="webhook"),
    path("webhooks/deliveries/<int:pk>/retry/", pages.delivery_retry, name="delivery_retry"),
]
