"""`make loadtest`: a bounded load test of the app on this machine (loopback only).

run.py prepares a scratch database, starts gunicorn with production settings, runs the
simulated users of locustfile.py for 60 s, stops what it started, prints the figures
(results.py) and checks the saved drafts against the database (demo.loadtest). forms.py reads
the forms of a page as a browser would post them. See docs/PERFORMANCE.md.
"""
