"""Audit tools as data: tools a QA lead builds (sections, questions of several kinds, a grading
scale of the tool's own), kept in versions; the 12-domain tool is the standard tool.

``kinds`` holds the vocabularies (question kinds, yes/no answers, kinds of activity);
``services`` every write to a tool; ``selectors`` the reads.
"""
