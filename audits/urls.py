from django.urls import path

from . import views

app_name = "audits"
urlpatterns = [
    path("", views.home, name="home"),
    path("audits/new/", views.audit_new, name="new"),
    path("audits/mine/", views.my_audits, name="mine"),
    path("audits/all/", views.all_audits, name="all"),
    path("audits/earlier/", views.earlier_audits_fragment, name="earlier"),
    path("audits/<int:pk>/", views.audit_detail, name="detail"),
    path("audits/<int:pk>/edit/", views.audit_edit, name="edit"),
    path("audits/<int:pk>/delete/", views.audit_delete, name="delete"),
    path("cases/<str:case_reference>/", views.case_timeline, name="case_timeline"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
]
