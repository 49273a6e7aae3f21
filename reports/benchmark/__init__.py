"""Peer benchmarking: the council's anonymised period figures as a versioned file
(``export``), several councils' files merged into a regional comparison (``merge``), the
national vocabulary both are written in (``vocabulary``) and the file's schema (``schema``).
docs/BENCHMARK.md describes the file for the people who exchange it."""
