from django.urls import include, path

from . import views, views_compare
from .plan import views as plan_views
from .targets import views as target_views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("summary.json", views.summary_json, name="summary_json"),
    path("compare/", views_compare.compare, name="compare"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/autosave/", views.report_autosave, name="autosave"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/make-pdf/", views.report_pdf_make_again, name="make_pdf"),
    path("<int:pk>/audits.<str:fmt>", views.report_export, name="export"),
    path("activities/<int:pk>/results/", views.activity_results, name="activity_results"),
    path("targets/", target_views.targets, name="targets"),
    path("targets/new/", target_views.target_new, name="target_new"),
    path("targets/<int:pk>/edit/", target_views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", target_views.target_delete, name="target_delete"),
    path("targets/<int:pk>/actual/", target_views.target_actual, name="target_actual"),
    path("<int:pk>/plan-items/", plan_views.plan_from_report, name="plan_from_report"),
    path("plan/", plan_views.plan_list, name="plan"),
    path("plan/<int:pk>/", plan_views.plan_item, name="plan_item"),
    path("plan/<int:pk>/edit/", plan_views.plan_item_edit, name="plan_item_edit"),
    path("benchmark/", include("reports.benchmark.urls")),
    path(
        "targets/<int:pk>/checkpoints/",
        target_views.target_checkpoints,
        name="target_checkpoints",
    ),
    path(
        "targets/checkpoints/<int:pk>/edit/", target_views.checkpoint_edit, name="checkpoint_edit"
    ),
    path(
        "targets/checkpoints/<int:pk>/delete/",
        target_views.checkpoint_delete,
        name="checkpoint_delete",
    ),
]
