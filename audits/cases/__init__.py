"""The case list, its case holders and the sample draws (issue 14, items 4 and 5).

``importer`` loads the case management system's extract (``manage.py import_cases``);
``sampling`` is the draw's arithmetic (pure functions: the seeded shuffle, the quotas, the even
allocation); ``services`` records draws and replacements (``manage.py draw_sample``);
``selectors`` reads them (``allocated_cases_for``). The models are in ``audits.models``.
"""
