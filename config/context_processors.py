"""What every page's frame (templates/base.html) shows of the council: its name in the header."""

from django.conf import settings


def council(request):
    return {"council_name": settings.COUNCIL_NAME}
