from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audits.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from . import pages
from .health import healthz
from .signin import SignInView, local_passwords_only

urlpatterns = [
    # For the load balancer (config.health): open to anyone, no data.
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The footer's pages (config.pages): open to anyone, no case data.
    path(
        "",
        include(
            (
                [
                    path("help/", pages.help_page, name="help"),
                    path("contact/", pages.contact_page, name="contact"),
                    path("privacy/", pages.privacy_page, name="privacy"),
                    path("accessibility/", pages.accessibility_page, name="accessibility"),
                ],
                "pages",
            )
        ),
    ),
    # django.contrib.auth.urls, written out: the sign-in page offers the council sign-in and
    # renders its form like every other form; resetting a password needs LOCAL_PASSWORDS.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/",
        local_passwords_only(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        local_passwords_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        local_passwords_only(
            auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm)
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        local_passwords_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    # The council sign-in (config.sso): oidc/authenticate/, oidc/callback/, oidc/logout/.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("accounts/two-factor/", include("audits.twofactor.urls")),
    # The session's time limits and saves kept when it ended (audits.sessions).
    path("accounts/session/", include("audits.sessions.urls")),
    path("moderation/", include("moderation.urls")),
    path("reports/", include("reports.urls")),
    path("", include("audits.urls")),
]
