from django.urls import path, re_path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.request_form, name="request"),
    path("done/", views.request_done, name="done"),
    path("leave/", views.leave, name="leave"),
    # Before the token pattern: "done" is never a token (tokens are 43 characters).
    path("partner/done/", views.partner_done, name="partner-done"),
    # Any address under partner/, an empty or mangled one with a slash in it too, is a
    # link that does not work and gets the partner's own 404 page.
    re_path(r"^partner/(?P<token>.*)/\Z", views.partner, name="partner"),
]
