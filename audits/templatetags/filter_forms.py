"""``{% filter_form filter.form %}``: a list page's filter form (``_filter_form.html``), drawn
by crispy-forms like every form, and remembered in this process by everything it is drawn from.

Drawing the audit list's filters through the template pack took about 10 ms of the list's 23
(some fifty templates: a hundred options, six date boxes, labels and hints). The same form with
the same fields, choices and values always draws the same HTML, so the worker keeps the HTML of
the last few hundred such forms and hands it out again. The key holds everything the HTML is
drawn from, read afresh on each request: each field's name, id, label, hint, kind, attributes,
whether it is required or disabled, its choices as the database gives them now (a new activity,
a renamed strand or a new auditor is a new key; a model's choices are read as rows and
digested, without an object and a label per row), and its value. So nothing stale is ever
shown; only the drawing is saved, not the reading. (What is saved besides is the SQL of the
choices a FilterSet declares fixed: the same query, asked afresh on every request.)

Not remembered: a form with an error (drawn each time, with its messages), a form with text
typed into a free-text box (a case reference: typed text is not kept beyond the request), and
anything while DEBUG is on (templates edited while the server runs).
"""

import hashlib
import threading
from collections import OrderedDict

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

# About 15 KB each: a few MB per worker at most.
MAX_REMEMBERED = 256

_remembered: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _choices(form, bound_field) -> tuple | None:
    field = bound_field.field
    if isinstance(field, forms.ModelChoiceField):
        return _model_choices(form, bound_field.name, field)
    choices = getattr(field, "choices", None)
    if choices is None:
        return None
    return tuple((str(value), str(label)) for value, label in choices)


# The SQL of the choices a FilterSet declares fixed (StyledFilterSet.fixed_choices), by
# FilterSet, field and database: the same on every request, so made once per worker.
_choice_sql: dict = {}


def _choices_sql(form, name, queryset) -> tuple[str, tuple]:
    """The SQL and parameters that read the rows of ``queryset``, the choices of the form's
    field ``name``. Made afresh (some 1,100 Python calls each) unless the FilterSet declares
    the field's queryset fixed: one it never changes for a request or a user."""
    filterset = getattr(type(form), "filterset_class", None)
    fixed = filterset is not None and name in getattr(filterset, "fixed_choices", ())
    key = (filterset, name, queryset.db) if fixed else None
    sql = _choice_sql.get(key) if fixed else None
    if sql is None:
        sql = queryset.values_list().query.get_compiler(queryset.db).as_sql()
        if fixed:
            _choice_sql[key] = sql
    return sql


def _model_choices(form, name, field) -> tuple:
    """A model choice field's choices as the database gives them now, without making an object
    and a label of each row (most of the key's cost): a digest of every column of every row the
    field's queryset returns, in its order, with what else its options are drawn from. A label
    (the model's ``__str__`` or the field's ``label_from_instance``) is drawn from the row's
    own columns, so a renamed choice, a new one or one gone is a new digest."""
    queryset = field.queryset
    try:
        sql, params = _choices_sql(form, name, queryset)
    except EmptyResultSet:  # queryset.none(): no choices, and no query to ask
        rows = []
    else:
        # The rows as the database driver gives them: the ORM's iteration would turn each
        # column into a Python value first (dates parsed, and so on), most of the read's cost
        # and nothing the digest needs (the same row always comes back the same).
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    rows = repr(rows).encode()
    return (
        field.to_field_name,
        str(field.empty_label),
        hashlib.sha256(rows).hexdigest(),
    )


def _typed_text(bound_field) -> bool:
    """A free-text box holding something typed (not a choice, a date or a number)."""
    field = bound_field.field
    if not isinstance(field, forms.CharField):
        return False
    value = bound_field.value()
    return value not in (None, "")


def cache_key(form) -> tuple | None:
    """Everything the form's HTML is drawn from, or None when it is not to be remembered."""
    if settings.DEBUG or form.errors:
        return None
    fields = []
    for bound_field in form:
        if _typed_text(bound_field):
            return None
        field = bound_field.field
        widget = field.widget
        fields.append(
            (
                bound_field.html_name,
                bound_field.auto_id,
                str(bound_field.label),
                str(field.help_text),
                type(field).__qualname__,
                type(widget).__qualname__,
                repr(sorted(widget.attrs.items())),
                field.required,
                field.disabled,
                _choices(form, bound_field),
                repr(bound_field.value()),
            )
        )
    return (
        # The form's classes (a FilterSet's form class is made afresh on each request, under
        # the FilterSet's name), and the layout they draw with.
        tuple(f"{cls.__module__}.{cls.__qualname__}" for cls in type(form).__mro__),
        getattr(type(form), "layout", None),
        form.prefix,
        form.is_bound,
        translation.get_language(),
        tuple(fields),
    )


def remembered(key: tuple, draw) -> str:
    """The HTML for ``key``, drawn by ``draw()`` the first time."""
    with _lock:
        html = _remembered.get(key)
        if html is not None:
            _remembered.move_to_end(key)
            return html
    html = draw()
    with _lock:
        _remembered[key] = html
        while len(_remembered) > MAX_REMEMBERED:
            _remembered.popitem(last=False)
    return html


def forget_all() -> None:
    with _lock:
        _remembered.clear()


@register.simple_tag
def filter_form(form):
    """The form as ``{% crispy form %}`` draws it (its helper writes no <form> tag)."""

    def draw():
        return render_crispy_form(form)

    key = cache_key(form)
    if key is None:
        return mark_safe(draw())
    return mark_safe(remembered(key, draw))
