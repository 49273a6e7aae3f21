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

A form not drawn before in this worker is put together from parts, each remembered by what it
is drawn from: the layout with a marker where each field goes (one per form), and each field
drawn alone with its own value. The list's filters are chosen among some forty combinations,
but each field has only a few values: drawing the whole form through the template pack took
13-15 ms, in a fair share of the list's requests under load (five workers, each drawing its
own); the parts of a new combination are nearly always drawn already. What a field draws does
not depend on the other fields' values (no errors are drawn from here), so the parts put
together are the whole form as the pack draws it (tested for many combinations).
"""

import copy
import hashlib
import re
import threading
from collections import OrderedDict

from crispy_forms.layout import HTML, Layout
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import translation
from django.utils.safestring import mark_safe

from audits.layout import form_helper

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
        columns = _drawn_from(queryset, form.fields[name].to_field_name)
        sql = queryset.values_list(*columns).query.get_compiler(queryset.db).as_sql()
        if fixed:
            _choice_sql[key] = sql
    return sql


def _drawn_from(queryset, to_field_name: str | None) -> tuple[str, ...]:
    """The columns the choices are drawn from: those of the queryset's ``only()`` with the key
    and the options' value (a field whose labels need a few columns says which), else every
    column (empty)."""
    names, deferred = queryset.query.deferred_loading
    if deferred or not names:
        return ()
    return ("pk", *sorted(set(names) | ({to_field_name} if to_field_name else set())))


def _model_choices(form, name, field) -> tuple:
    """A model choice field's choices as the database gives them now, without making an object
    and a label of each row (most of the key's cost): a digest of every column of every row the
    field's queryset returns, in its order, with what else its options are drawn from. A label
    (the model's ``__str__`` or the field's ``label_from_instance``) is drawn from the row's
    own columns, so a renamed choice, a new one or one gone is a new digest. A queryset limited
    with ``only()`` is digested over those columns (and its key) alone: people's choices, whose
    other columns (the time they last signed in, a password's hash) change without changing a
    label and have no business being read."""
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


def form_key(form) -> tuple:
    """What the form's drawing depends on besides its fields."""
    return (
        # The form's classes (a FilterSet's form class is made afresh on each request, under
        # the FilterSet's name), and the layout they draw with.
        tuple(f"{cls.__module__}.{cls.__qualname__}" for cls in type(form).__mro__),
        getattr(type(form), "layout", None),
        form.prefix,
        form.is_bound,
        translation.get_language(),
    )


def field_keys(form) -> list[tuple | None]:
    """Each field's part of the key, in order: everything its HTML is drawn from; None for a
    free-text box holding typed text (never remembered)."""
    return [field_key(form, bound_field) for bound_field in form]


def field_key(form, bound_field) -> tuple | None:
    """Everything ``bound_field``'s HTML is drawn from; None for a free-text box holding typed
    text (never remembered)."""
    if _typed_text(bound_field):
        return None
    field = bound_field.field
    widget = field.widget
    return (
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


def remembered(key: tuple, draw, *, memory: OrderedDict | None = None) -> str:
    """The HTML for ``key``, drawn by ``draw()`` the first time. ``memory``: whole forms
    (``_remembered``, the default) or their parts (``_parts``)."""
    if memory is None:
        memory, limit = _remembered, MAX_REMEMBERED
    else:
        limit = MAX_PARTS
    with _lock:
        html = memory.get(key)
        if html is not None:
            memory.move_to_end(key)
            return html
    html = draw()
    with _lock:
        memory[key] = html
        while len(memory) > limit:
            memory.popitem(last=False)
    return html


def forget_all() -> None:
    with _lock:
        _remembered.clear()
        _parts.clear()


# The parts of forms: a layout with markers, and fields drawn alone. A few KB each.
MAX_PARTS = 1024
_parts: OrderedDict = OrderedDict()

_FIELD_MARKER = re.compile("\x00field:([^\x00]*)\x00")
_START, _END = "\x00start\x00", "\x00end\x00"


def _marked(layout_object):
    """A copy of ``layout_object`` with a marker in place of each field it names, or None when
    it holds something other than field names and layout objects holding them."""
    copied = copy.copy(layout_object)
    copied.fields = []
    for item in layout_object.fields:
        if isinstance(item, str):
            copied.fields.append(HTML(f"\x00field:{item}\x00"))
        elif type(item).__name__ in ("Layout", "Row", "Column", "Div", "Fieldset"):
            inner = _marked(item)
            if inner is None:
                return None
            copied.fields.append(inner)
        else:
            return None
    return copied


def _drawn_alone(form, name: str) -> str:
    """The field as the pack draws it inside the form's layout: drawn between two markers,
    with the same template pack and context, and cut out."""
    html = render_crispy_form(form, helper=form_helper(Layout(HTML(_START), name, HTML(_END))))
    return html[html.index(_START) + len(_START) : html.index(_END)]


def _drawn_in_parts(form, fields: list[tuple]) -> str:
    """The form put together from its remembered parts (drawing those not remembered yet):
    what ``render_crispy_form(form)`` draws."""
    marked = _marked(form.helper.layout)
    if marked is None:
        return render_crispy_form(form)
    bound = list(form)
    whole = form_key(form)
    layout_key = (*whole, "layout", tuple((b.name, type(b.field).__qualname__) for b in bound))
    skeleton = remembered(
        layout_key, lambda: render_crispy_form(form, helper=form_helper(marked)), memory=_parts
    )
    drawn = {
        # A box holding typed text (key None) is drawn each time and kept nowhere.
        b.name: _drawn_alone(form, b.name)
        if key is None
        else remembered(
            (*whole, "field", b.name, key),
            lambda name=b.name: _drawn_alone(form, name),
            memory=_parts,
        )
        for b, key in zip(bound, fields, strict=True)
    }
    # The pack takes the spaces out between tags once the whole form is drawn (crispy-forms'
    # specialspaceless); a field's edges meet the layout's only here.
    return remove_spaces(_FIELD_MARKER.sub(lambda match: drawn[match.group(1)], skeleton))


@register.simple_tag
def filter_form(form):
    """The form as ``{% crispy form %}`` draws it (its helper writes no <form> tag). A form
    with typed text is not remembered, but the rest of it comes from the remembered parts."""
    if settings.DEBUG or form.errors:
        return mark_safe(render_crispy_form(form))
    fields = field_keys(form)  # everything each field is drawn from
    if None in fields:
        return mark_safe(_drawn_in_parts(form, fields))
    key = (*form_key(form), tuple(fields))
    return mark_safe(remembered(key, lambda: _drawn_in_parts(form, fields)))


# A worker's first drawing of a filter value (a case type, a strand, a state) costs 2-4 ms
# through the template pack; measured under load, with five workers each drawing its own,
# some of the list's slowest requests were these. A worker draws them before its first
# request instead (config/warmup.py), as it compiles the templates.
MOST_CHOICES_WARMED = 40


def warm(make_filterset) -> int:
    """Draw and remember the form of ``make_filterset(data)`` unfiltered and with each value
    of each choice field alone (fields of more than MOST_CHOICES_WARMED choices are left to
    be drawn when asked for). Returns how many forms were drawn. Nothing is kept that a
    request would not keep: the same keys, read from the database as a request reads them."""
    if settings.DEBUG:
        return 0  # nothing is remembered
    blank = make_filterset(None)
    filter_form(blank.form)
    drawn = 1
    for name, field in blank.form.fields.items():
        choices = getattr(field, "choices", None)
        if choices is None:
            continue
        values = [str(value) for value, _label in choices if str(value) != ""]
        if len(values) > MOST_CHOICES_WARMED:
            continue
        for value in values:
            form = make_filterset({name: value}).form
            if not form.errors:
                filter_form(form)
                drawn += 1
    return drawn
