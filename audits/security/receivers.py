"""Sign-in events and role changes into the security log (connected in AuditsConfig.ready)."""

from auditlog.models import LogEntry
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from .events import Event, record
from .middleware import current_request


@receiver(user_logged_in, dispatch_uid="security_log_signed_in")
def _signed_in(sender, request, user, **kwargs):
    record(Event.SIGNED_IN, request=request, user=user, obj=user)


@receiver(user_logged_out, dispatch_uid="security_log_signed_out")
def _signed_out(sender, request, user, **kwargs):
    # Ended by a time limit (audits.sessions: "idle" or "absolute") rather than by the person.
    reason = getattr(request, "sign_out_reason", None)
    record(
        Event.SIGNED_OUT,
        request=request,
        user=user,
        obj=user,
        changes={"reason": reason} if reason else None,
    )


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The attempted username as typed, whether or not such an account exists. A sign-in through
    # the council's provider has none typed: its backend (config.sso) puts on the request the
    # username the provider gave and why the app refused it.
    username = credentials.get("username") or getattr(request, "sign_in_username", "")
    reason = getattr(request, "sign_in_refusal", "")
    record(
        Event.SIGN_IN_FAILED,
        request=request,
        username=str(username),
        changes={"reason": reason} if reason else None,
    )


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(Event.LOCKED_OUT, request=request, username=str(username or ""))


def _role_names(pks) -> list[str]:
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


def _roles_of(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="security_log_roles")
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's roles changed, from either side (user.groups or group.user_set)."""
    if action.startswith("pre_"):
        if not reverse:
            users = [instance]
        elif action == "pre_clear":
            users = list(instance.user_set.all())
        else:
            users = list(get_user_model().objects.filter(pk__in=pk_set or ()))
        instance._roles_before = {user.pk: _roles_of(user) for user in users}
        return
    before = getattr(instance, "_roles_before", {})
    request = current_request.get()
    for user in get_user_model().objects.filter(pk__in=before):
        old, new = before[user.pk], _roles_of(user)
        if old != new:
            user.__dict__.pop("_role_names", None)
            record(
                Event.ROLES_CHANGED,
                request=request,
                obj=user,
                changes={"roles": [old, new]},
            )
    instance._roles_before = {}


@receiver(pre_save, sender=LogEntry, dispatch_uid="change_history_append_only")
def _change_history_is_append_only(sender, instance, **kwargs):
    """A change history entry, once written, is never rewritten."""
    if instance.pk is not None and sender.objects.filter(pk=instance.pk).exists():
        raise PermissionError("The change history is append-only.")
