"""Dates as UK users write them, as the GOV.UK style guide asks: "1 July 2026". Times are
24-hour ("15:15"): Django's "a" prints "p.m.", not GOV.UK's "3:15pm".

Django's own en_GB formats print "1 Jul 2026" and "01/07/2026"; the locale's formats outrank
settings.DATE_FORMAT, so the service's own are a format module (settings.FORMAT_MODULE_PATH).
What this module leaves out (the input formats, the first day of the week) stays Django's.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \a\t H:i"
SHORT_DATETIME_FORMAT = r"j F Y \a\t H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
