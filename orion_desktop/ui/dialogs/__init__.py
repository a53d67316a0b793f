"""Dialogs built in code: values in, a frozen value object out, inline validation, errors as sentences."""
