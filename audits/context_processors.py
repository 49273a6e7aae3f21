from . import roles as roles_module


def roles(request):
    user = getattr(request, "user", None)
    names = roles_module.role_names(user)
    return {
        "user_roles": names,
        "can_audit": roles_module.AUDITOR in names,
        "can_moderate": roles_module.MODERATOR in names,
        "can_see_all_audits": roles_module.sees_all_submitted(user),
        "can_manage_activities": roles_module.manages_activities(user),
        "is_administrator": roles_module.ADMINISTRATOR in names,
    }
