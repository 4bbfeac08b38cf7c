from django.contrib import admin
from django.urls import include, path

from minqing.core.urls import public_urlpatterns

urlpatterns = [
    *public_urlpatterns,
    path("", include("minqing.core.urls")),
    path("accounts/", include("minqing.accounts.urls")),
    path("places/", include("minqing.places.urls")),
    path("people/", include("minqing.people.urls")),
    path("organisations/", include("minqing.organisations.urls")),
    path("registry/", include("minqing.registry_io.urls")),
    path("directory/", include("minqing.directory.urls")),
    path("cases/", include("minqing.cases.urls")),
    path("notifications/", include("minqing.notifications.urls")),
    path("diary/", include("minqing.diary.urls")),
    path("dashboards/", include("minqing.dashboards.urls")),
    path("open311/v2/", include("minqing.open311.urls")),
    path("api/", include("minqing.api.urls")),
    path("r/", include("minqing.portal.urls")),
    path("hotline/", include("minqing.hotline.urls")),
    path("admin/", admin.site.urls),
]
