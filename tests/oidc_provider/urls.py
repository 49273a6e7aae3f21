from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    # The issuer is <address>/o: discovery answers at /o/.well-known/openid-configuration.
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
]
