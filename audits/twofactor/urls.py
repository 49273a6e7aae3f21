from django.urls import path

from . import views

app_name = "two_factor"
urlpatterns = [
    path("set-up/", views.setup, name="setup"),
    path("code/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
