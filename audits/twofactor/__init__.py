"""Two-factor sign-in: a time-based code from an authenticator app, with recovery codes.

django-otp keeps the devices (otp_totp's TOTPDevice: the app's secret; otp_static's
StaticDevice and StaticToken: the recovery codes) and marks a session verified.
``services`` writes them, ``middleware`` keeps the roles of settings.TWO_FACTOR_ROLES on the
set-up and code pages until their session is verified, ``views`` are the pages.
"""
