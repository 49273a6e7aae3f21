from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audits.forms import LoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before django.contrib.auth's own: the sign-in form renders like every other form.
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/two-factor/", include("audits.twofactor.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("moderation/", include("moderation.urls")),
    path("reports/", include("reports.urls")),
    path("", include("audits.urls")),
]
