from django.urls import path

from . import views
from .actions import views as action_views
from .cases import views as case_views
from .compliance import views as compliance_views
from .holders import views as holder_views
from .imports import views as import_views
from .schedule import views as schedule_views
from .security import views as security_views
from .tools import views as tool_views

app_name = "audits"
urlpatterns = [
    path("", views.home, name="home"),
    path("audits/new/", views.audit_new, name="new"),
    path("audits/new/autosave/", views.audit_autosave_new, name="autosave_new"),
    path("audits/mine/", views.my_audits, name="mine"),
    path("audits/all/", views.all_audits, name="all"),
    path("audits/earlier/", views.earlier_audits_fragment, name="earlier"),
    path("audits/<int:pk>/", views.audit_detail, name="detail"),
    path("audits/<int:pk>/audit.pdf", views.audit_pdf, name="pdf"),
    path("audits/<int:pk>/edit/", views.audit_edit, name="edit"),
    path("audits/<int:pk>/edit/<slug:section>/", views.audit_section, name="section"),
    path("audits/<int:pk>/edit/<slug:section>/autosave/", views.audit_autosave, name="autosave"),
    path("audits/<int:pk>/check/", views.audit_check, name="check"),
    path("audits/<int:pk>/delete/", views.audit_delete, name="delete"),
    path("audits/<int:pk>/response/", holder_views.response_edit, name="holder_response"),
    path("my-cases/", holder_views.my_cases_audits, name="my_cases"),
    path("find-a-case/", views.find_case, name="find_case"),
    path("cases/<str:case_reference>/", views.case_timeline, name="case_timeline"),
    path("security/log/", security_views.security_log, name="security_log"),
    path("security/log.csv", security_views.security_log_csv, name="security_log_csv"),
    path("activities/", schedule_views.activity_list, name="activities"),
    path("activities/new/", schedule_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", schedule_views.activity_edit, name="activity_edit"),
    path("actions/", action_views.action_list, name="actions"),
    path("actions/<int:pk>/", action_views.action_detail, name="action_detail"),
    path("actions/<int:pk>/done/", action_views.action_mark_done, name="action_done"),
    path(
        "actions/<int:pk>/not-needed/",
        action_views.action_mark_not_needed,
        name="action_not_needed",
    ),
    path("actions/<int:pk>/reopen/", action_views.action_reopen, name="action_reopen"),
    path("actions/<int:pk>/owner/", action_views.action_assign, name="action_assign"),
    # The tool builder (audits.tools.views).
    path("tools/", tool_views.tool_list, name="tools"),
    path("tools/new/", tool_views.tool_new, name="tool_new"),
    path("tools/<int:pk>/", tool_views.tool_detail, name="tool"),
    path("tools/<int:pk>/preview/", tool_views.tool_preview, name="tool_preview"),
    path("tools/<int:pk>/edit/", tool_views.tool_edit, name="tool_edit"),
    path("tools/<int:pk>/scale/", tool_views.tool_scale, name="tool_scale"),
    path("tools/<int:pk>/new-version/", tool_views.tool_new_version, name="tool_new_version"),
    path("tools/<int:pk>/make-current/", tool_views.tool_make_current, name="tool_make_current"),
    path("tools/<int:pk>/sections/new/", tool_views.section_new, name="tool_section_new"),
    path(
        "tools/<int:pk>/sections/<int:section_pk>/edit/",
        tool_views.section_edit,
        name="tool_section_edit",
    ),
    path(
        "tools/<int:pk>/sections/<int:section_pk>/remove/",
        tool_views.section_remove,
        name="tool_section_remove",
    ),
    path(
        "tools/<int:pk>/sections/<int:section_pk>/questions/new/",
        tool_views.question_new,
        name="tool_question_new",
    ),
    path(
        "tools/<int:pk>/questions/<int:question_pk>/edit/",
        tool_views.question_edit,
        name="tool_question_edit",
    ),
    path(
        "tools/<int:pk>/questions/<int:question_pk>/remove/",
        tool_views.question_remove,
        name="tool_question_remove",
    ),
    path("imports/", import_views.import_index, name="imports"),
    path("imports/<slug:kind>/", import_views.import_upload, name="import_upload"),
    path("imports/preview/<int:pk>/", import_views.import_preview, name="import_preview"),
]

# The sample draw (audits.cases) and manager compliance (audits.compliance).
urlpatterns += [
    path("activities/<int:pk>/draws/", case_views.draw_list, name="draws"),
    path("activities/<int:pk>/draws/new/", case_views.draw_new, name="draw_new"),
    path(
        "drawn-cases/<int:pk>/replace/",
        case_views.drawn_case_replace,
        name="drawn_case_replace",
    ),
    path(
        "drawn-cases/<int:pk>/start/", case_views.allocated_case_start, name="allocated_case_start"
    ),
    path("compliance/", compliance_views.compliance, name="compliance"),
]
