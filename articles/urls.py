from django.urls import path

from articles import feeds, views
from practice.page_cache import cache_public_page

app_name = "articles"
urlpatterns = [
    path(
        "",
        cache_public_page(views.ArticleListView.as_view(), params=("page", "q")),
        name="list",
    ),
    path("feed/", cache_public_page(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", cache_public_page(feeds.LatestArticlesAtomFeed()), name="atom"),
    path(
        "topic/<slug:slug>/",
        cache_public_page(views.TopicArticleListView.as_view(), params=("page",)),
        name="topic",
    ),
    # The old author pages: a clinician's profile is now their page.
    path("author/<slug:slug>/", views.author_moved, name="author"),
    path(
        "<slug:slug>/",
        cache_public_page(views.ArticleDetailView.as_view()),
        name="detail",
    ),
]
