"""Bad input is never a 500 (issue 12, item 8): hostile values sent to every form and every URL
parameter, and the error pages of the last resort. See test_forms.py and test_urls.py."""
