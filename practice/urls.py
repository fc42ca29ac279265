from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import sitemaps
from practice import views
from practice.page_cache import cache_public_page

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("articles/", include("articles.urls")),
    path("request/", include("intake.urls")),
    path("sitemap.xml", cache_public_page(sitemap_index), {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        cache_public_page(sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "practice.views.bad_request"
handler403 = "practice.views.permission_denied"
handler404 = "practice.views.page_not_found"
handler500 = "practice.views.server_error"
