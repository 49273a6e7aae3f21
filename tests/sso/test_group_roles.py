"""OIDC_GROUP_ROLES (config.sso.mapping): read once at start, refused with a message that names
the variable when it cannot be right; and the settings that turn the council sign-in on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from audits import roles
from config.sso.mapping import parse_group_roles, roles_for_groups

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_pairs_separated_by_semicolons_with_roles_separated_by_commas():
    mapping = parse_group_roles(
        " CFA-QA-Leads = QA lead ; CFA-Managers=Moderator, auditor;CFA-Admins=ADMINISTRATOR;"
    )

    assert mapping == {
        "CFA-QA-Leads": {roles.QA_LEAD},
        "CFA-Managers": {roles.MODERATOR, roles.AUDITOR},
        "CFA-Admins": {roles.ADMINISTRATOR},
    }


def test_group_ids_as_entra_id_sends_them_are_names_like_any_other():
    group = "7f0c3c1e-2a4b-4d5e-9f60-1a2b3c4d5e6f"

    assert parse_group_roles(f"{group}=Auditor") == {group: {roles.AUDITOR}}


def test_unset_is_an_empty_mapping():
    assert parse_group_roles("") == {}
    assert parse_group_roles(" ; ") == {}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("CFA-QA-Leads", "pair 1 ('CFA-QA-Leads') is not Group=Role"),
        ("CFA-Auditors=Auditor;=QA lead", "pair 2 ('=QA lead') is not Group=Role"),
        ("CFA-QA-Leads=QA leader", "'QA leader' (for group 'CFA-QA-Leads') is not a role"),
        ("CFA-QA-Leads=", "'' (for group 'CFA-QA-Leads') is not a role"),
        ("A=Auditor;A=Moderator", "group 'A' is named twice"),
    ],
)
def test_bad_input_is_refused_naming_the_variable_and_the_problem(text, problem):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_group_roles(text)

    message = str(refused.value)
    assert message.startswith("OIDC_GROUP_ROLES is not valid: ")
    assert problem in message
    assert "CFA-QA-Leads=QA lead;CFA-Auditors=Auditor" in message  # how to write it


def test_the_roles_of_several_groups_add_up_and_unknown_groups_give_none():
    mapping = parse_group_roles("CFA-QA-Leads=QA lead;CFA-Managers=Moderator,Auditor")

    assert roles_for_groups(["CFA-QA-Leads", "CFA-Managers", "Staff"], mapping) == {
        roles.QA_LEAD,
        roles.MODERATOR,
        roles.AUDITOR,
    }
    assert roles_for_groups(["Staff", "cfa-qa-leads"], mapping) == set()  # exact names


# --- The settings, loaded in a fresh interpreter as a deployment would ---------------------------

SSO_ON = {
    "OIDC_ISSUER": "http://127.0.0.1:9/o",  # nothing answers there: and nothing is asked
    "OIDC_CLIENT_ID": "casefile-audit",
    "OIDC_CLIENT_SECRET": "a-secret",
    "OIDC_GROUP_ROLES": "CFA-QA-Leads=QA lead",
}


def _check(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="settings-test", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_sign_on_configured_the_app_starts_without_asking_the_provider():
    result = _check(**SSO_ON)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "missing, message",
    [
        ("OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET is not set"),
        ("OIDC_GROUP_ROLES", "OIDC_GROUP_ROLES is not set"),
    ],
)
def test_with_sign_on_on_a_missing_setting_stops_the_start(missing, message):
    result = _check(**{k: v for k, v in SSO_ON.items() if k != missing})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_a_bad_mapping_stops_the_start_with_its_message():
    result = _check(**{**SSO_ON, "OIDC_GROUP_ROLES": "CFA-QA-Leads=Boss"})

    assert result.returncode != 0
    assert "OIDC_GROUP_ROLES is not valid: 'Boss'" in result.stderr
