from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.request_form, name="request"),
    path("done/", views.request_done, name="done"),
    # Before the token pattern: "done" is never a token (tokens are 43 characters).
    path("partner/done/", views.partner_done, name="partner-done"),
    path("partner/<str:token>/", views.partner, name="partner"),
]
