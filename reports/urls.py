from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("summary.json", views.summary_json, name="summary_json"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
]
