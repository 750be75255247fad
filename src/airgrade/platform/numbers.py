"""Numbers checked against their own column: the bounds come from the model field, never from a copy.

A DecimalField allows `max_digits - decimal_places` integer digits; an integer field the range the database
backend gives for its type (`connection.ops.integer_field_range`, from 0 for the positive kinds); a FloatField any
finite value. Every numeric input is parsed here once, at the edge: API schemas annotate their fields with
`column(Model, "field")`, page forms build theirs with `form_field(Model, "field")`, and services that receive
free-form data (an emergency list entry) run `check_instance` on the rows they are about to save. A refusal names
the field by its Chinese label and never uses exponent notation; Infinity, NaN and 1e400 are refused as not finite.

Numbers shown on pages go through one template filter, `num` (a template builtin, no {% load %}): fixed notation
with thousands separators, `{{ n|num }}` (up to 4 decimals, zeros dropped), `{{ t|num:3 }}` (exactly 3, for columns
that line up) or `{{ t|num:"-2" }}` (up to 2); `plain` is the same number for an input field (no separators).
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal, InvalidOperation
from functools import cached_property, partial
from typing import Annotated, Any

from django import forms, template
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from airgrade.core.errors import AirgradeError
from airgrade.platform.errors import ServiceError

INTEGER_FIELDS = (models.IntegerField,)  # BigInteger, SmallInteger and the Positive kinds derive from it


class NumberError(AirgradeError, ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _plain(value: Decimal | int | float) -> str:
    """A number as people write it: no exponent, no trailing zeros."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def bounds(model: type[models.Model], name: str) -> tuple[Decimal | None, Decimal | None, int | None]:
    """(lowest, highest, decimal places) a column can hold; None where the column sets no bound but finiteness."""
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        places = int(field.decimal_places or 0)
        top = Decimal(10) ** (int(field.max_digits or 0) - places) - Decimal(1).scaleb(-places)
        return -top, top, places
    if isinstance(field, INTEGER_FIELDS):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (
            Decimal(low) if low is not None else None,
            Decimal(high) if high is not None else None,
            0,
        )
    if isinstance(field, models.FloatField):
        return None, None, None
    raise TypeError(f"{model.__name__}.{name} is not a numeric column")


def clean(model: type[models.Model], name: str, value: Any, *, label: str = "") -> Any:
    """The value as the column stores it (Decimal / int / float), or NumberError naming the field."""
    field = model._meta.get_field(name)
    label = label or str(getattr(field, "verbose_name", name))
    if value is None or value == "":
        if getattr(field, "null", False):
            return None
        raise NumberError(name, f"请填写{label}")
    if isinstance(value, bool):
        raise NumberError(name, f"{label}须为数字，收到 {value!r}")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise NumberError(name, f"{label}须为数字，收到 {str(value)[:20]!r}") from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise NumberError(name, f"{label}须为有限的数字，收到 {str(value)[:20]}")
    low, high, places = bounds(model, name)
    if isinstance(field, models.FloatField):
        as_float = float(number)
        if not math.isfinite(as_float):
            raise NumberError(name, f"{label}超出可保存的范围")
        return as_float
    if places == 0 and number != number.to_integral_value():
        raise NumberError(name, f"{label}须为整数，收到 {_plain(number)}")
    if (low is not None and number < low) or (high is not None and number > high):
        # Compare before quantising: a huge value would exceed the decimal context while rounding.
        bound = f"{_plain(low)} 至 {_plain(high)}" if low is not None and high is not None else ""
        raise NumberError(name, f"{label}超出允许范围（{bound}），收到 {_plain(number)[:40]}")
    if places == 0:
        return int(number)
    return number.quantize(Decimal(1).scaleb(-(places or 0)))


def service_clean(model: type[models.Model], name: str, value: Any, *, field: str = "", label: str = "") -> Any:
    """`clean` for services: a refusal is a ServiceError (400) on `field`."""
    try:
        return clean(model, name, value, label=label)
    except NumberError as exc:
        raise ServiceError(exc.message, field=field or name) from None


def check_instance(instance: models.Model, *, where: str = "") -> None:
    """Every numeric column of a row about to be saved, for services that build rows from free-form data;
    `where` names the row in the message (e.g. which production line)."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField) and not (
            field.primary_key or field.is_relation
        ):
            value = getattr(instance, field.attname)
            if value is not None:
                try:
                    clean(type(instance), field.name, value)
                except NumberError as exc:
                    raise ServiceError(where + exc.message, field=field.name) from None


class ReadableDecimalField(models.DecimalField):
    """A DecimalField that reads back a value stored beyond its digits instead of failing on every read.

    SQLite keeps whatever it is given, so a row written before the edge checks existed may hold more digits than
    the column declares; Django's converter rounds with a context of `max_digits` precision and raises on it, which
    made the record (its page, its API, its admin) answer 500 for good. A wide context reads it; the edit form then
    shows the value and refuses to save it until it is corrected. PostgreSQL never stores such a value."""

    @cached_property
    def context(self) -> decimal.Context:
        return decimal.Context(prec=400)  # a double's largest value has 309 integer digits


def _pydantic_check(model: type[models.Model], name: str, label: str, value: Any) -> Any:
    try:
        return clean(model, name, value, label=label)
    except NumberError as exc:
        raise PydanticCustomError("column_bounds", exc.message) from None


def column(model: type[models.Model], name: str, python_type: Any, *, label: str = "") -> Any:
    """An API schema type checked against `model.name` before pydantic parses it: `column(Line, "capacity", Decimal)`."""
    return Annotated[python_type, BeforeValidator(partial(_pydantic_check, model, name, label))]


class ColumnFormField(forms.Field):
    """A page-form field for one numeric column (its label, bounds and Chinese messages from `clean`)."""

    def __init__(self, model: type[models.Model], name: str, **kwargs: Any):
        self.model, self.column_name = model, name
        field = model._meta.get_field(name)
        kwargs.setdefault("label", str(field.verbose_name))
        kwargs.setdefault("required", not getattr(field, "null", False))
        kwargs.setdefault("error_messages", {"required": f"请填写{kwargs['label']}"})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return clean(self.model, self.column_name, value, label=str(self.label))
        except NumberError as exc:
            raise DjangoValidationError(exc.message) from None


def form_field(model: type[models.Model], name: str, **kwargs: Any) -> ColumnFormField:
    return ColumnFormField(model, name, **kwargs)


# ---------------------------------------------------------------- numbers shown on pages

register = template.Library()


def display(value: Any, places: int | str = -4) -> str:
    """A count or quantity as a page shows it: 1903700 → 1,903,700 (never 1.9037e+06); `places` ≥ 0 exact, < 0 at
    most that many with trailing zeros dropped; "—" for an empty value; text that is not a number unchanged."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        digits = int(places)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return "—"
    text = f"{number:,.{abs(digits)}f}"
    if digits < 0 and "." in text:
        text = text.rstrip("0").rstrip(".")
    # A negative number that rounds to zero is shown as zero, not "-0".
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


@register.filter(name="num")
def num_filter(value: Any, places: int | str = -4) -> str:
    return display(value, places)


@register.filter(name="plain")
def plain_filter(value: Any) -> str:
    """A number as an input field shows it for editing: fixed notation, no separators, no trailing zeros
    (801800.0 → 801800); empty for no value."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return str(value)  # what the user typed, shown back as typed
    # Every digit kept (the shortest repr of a float): saving the form again must not round the stored value.
    return _plain(number) if number.is_finite() else str(value)
