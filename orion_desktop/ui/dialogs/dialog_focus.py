"""Where the keyboard is when a dialog opens: in its first input, never on a button.

A dialog that opened with the focus on Cancel swallowed what the user typed, and the first space
pressed Cancel. ``focus_first_input`` walks the dialog's tab chain and puts the focus in the first
input a person can type into or choose in; a dialog that already chose one of its inputs keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

INPUT_TYPES: tuple[type[QWidget], ...] = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit)


def is_input(widget: QWidget | None) -> bool:
    """True for a widget a person types into or chooses in (a spin box's own line edit counts)."""
    return isinstance(widget, INPUT_TYPES)


def first_input(dialog: QWidget) -> QWidget | None:
    """The first enabled, shown, focusable input of ``dialog`` in its tab order, or None."""
    widget = dialog.nextInFocusChain()
    seen = 0
    while widget is not None and widget is not dialog and seen < 500:  # the chain is a ring
        seen += 1
        if (
            is_input(widget)
            and widget.isEnabled()
            and widget.isVisibleTo(dialog)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not _inside_spin_box(widget)
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None


def focus_first_input(dialog: QWidget) -> QWidget | None:
    """Put the focus in the dialog's first input unless one of its inputs has it already."""
    current = dialog.focusWidget()
    if current is not None and is_input(current) and current.isEnabled() and current.isVisibleTo(dialog):
        return current
    target = first_input(dialog)
    if target is not None:
        target.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(target, QLineEdit):
            target.selectAll()
    return target


def _inside_spin_box(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(widget, QLineEdit) and isinstance(parent, QAbstractSpinBox)
