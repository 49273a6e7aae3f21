"""The benchmark page's URLs, included in the reports namespace (reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.benchmark, name="benchmark"),
    path("export.json", views.benchmark_export, name="benchmark_export"),
]
