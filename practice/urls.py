from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles import views as articles_views
from articles.models import Page
from articles.sitemaps import sitemaps
from practice import views
from practice.page_cache import cache_public_page

# The practice's own pages, each at /<kind>/ under its kind's URL name.
practice_pages = [
    path(
        f"{kind}/",
        cache_public_page(articles_views.PracticePageView.as_view(kind=kind)),
        name=kind,
    )
    for kind in Page.Kind.values
]

# Everything a visitor reads, in English at / and in Spanish under /es/ (the
# address alone chooses: practice.middleware.UrlLanguageMiddleware).
urlpatterns = i18n_patterns(
    path("", views.home, name="home"),
    path("articles/", include("articles.urls")),
    path("team/", cache_public_page(articles_views.TeamView.as_view()), name="team"),
    path(
        "team/<slug:slug>/",
        cache_public_page(articles_views.ClinicianView.as_view(), params=("page",)),
        name="clinician",
    ),
    *practice_pages,
    path("request/", include("intake.urls")),
    prefix_default_language=False,
)

# One of each, for both languages: the sitemaps name every page in each
# language; the admin is English.
urlpatterns += [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", cache_public_page(sitemap_index), {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        cache_public_page(sitemap, params=("p",)),
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
