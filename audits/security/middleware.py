"""Who is asking, for both logs, for the length of each request."""

from contextvars import ContextVar

from auditlog.middleware import AuditlogMiddleware

from .events import client_address

current_request: ContextVar = ContextVar("current_request", default=None)


class RecordKeepingMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the actor and address of each change), reading the address
    the way the security log does, and keeping the request for signal receivers that log an
    event without one (a role changed in the admin)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)
