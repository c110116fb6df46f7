"""Form fields that read a number as people type it and as an import reads it: "1,800",
"１８００" and " 860 " are numbers; "200 300" is not (``io.columns.number_text``)."""

from django import forms

from .io.columns import number_text


class TypedInteger(forms.IntegerField):
    def to_python(self, value):
        return super().to_python(number_text(value) if isinstance(value, str) else value)


class TypedDecimal(forms.DecimalField):
    def to_python(self, value):
        return super().to_python(number_text(value) if isinstance(value, str) else value)
