from django.urls import path

from . import views

app_name = "session"
urlpatterns = [
    path("status/", views.status, name="status"),
    path("stay-signed-in/", views.extend, name="extend"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("kept/", views.kept, name="kept"),
    path("kept/<int:pk>/discard/", views.discard, name="discard"),
]
