from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("statistics/", views.dashboard, name="dashboard"),
    path("drift/<int:pk>/", views.drift_detail, name="drift"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("exemplars/", views.exemplars, name="exemplars"),
    path("audits/<int:pk>/", views.moderate, name="moderate"),
    path("audits/<int:pk>/autosave/", views.moderation_autosave, name="autosave"),
    path("audits/<int:pk>/take/", views.take, name="take"),
    path("audits/<int:pk>/release/", views.release, name="release"),
    path("audits/<int:pk>/add-to-queue/", views.add_to_queue, name="add_to_queue"),
    path("audits/<int:pk>/exemplar/", views.exemplar_toggle, name="exemplar"),
]
