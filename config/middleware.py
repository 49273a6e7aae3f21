"""Headers on every answer that the settings cannot set: no caching of what a signed-in person
sees, and no browser features the app never uses.

In config rather than an app because it is about HTTP, not audits or reports: it covers every
app's pages and downloads (HTML, CSV, XLSX, PDF, JSON) alike, and the admin. Placed right after
SecurityMiddleware, so it also reaches the answers other middleware make on their own (the
two-factor redirect, the lockout page).
"""

from django.utils.cache import patch_cache_control

# Features the app never uses, denied to it and to anything it could ever embed. Only names
# that browsers know: an unknown one makes Chromium warn on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Case data must not stay in the browser's cache or a shared proxy's, where the next
            # person at a shared computer could open it with the Back button or from disk.
            patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
