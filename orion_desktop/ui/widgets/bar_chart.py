"""A small horizontal bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    color: QColor


MAX_ROW_GROWTH = 2
"""A bar's row grows with the room it is given up to this many times its plain height."""


class BarChart(QWidget):
    """One labelled bar per value, longest for the largest; the figure is written after each bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: tuple[Bar, ...] = ()
        # Taller bars when the page has room (the Dashboard gives its spare height to this chart).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 24)

    @property
    def bars(self) -> tuple[Bar, ...]:
        return self._bars

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self._bars = tuple(bars)
        locale = QLocale()
        self.setToolTip("\n".join(f"{bar.label}: {locale.toString(bar.value)}" for bar in self._bars))
        self.setAccessibleDescription("; ".join(f"{bar.label} {bar.value}" for bar in self._bars))
        self.updateGeometry()
        self.update()

    def _base_row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def _row_height(self) -> int:
        """The font's height plus padding, or more when the chart is given more room (up to twice that)."""
        base = self._base_row_height()
        rows = max(len(self._bars), 1)
        return max(base, min((self.height() - 4) // rows, base * MAX_ROW_GROWTH))

    @property
    def row_height(self) -> int:
        """How tall each bar's row is drawn now (tests and the Dashboard's layout read it)."""
        return self._row_height()

    def sizeHint(self) -> QSize:  # noqa: N802
        rows = max(len(self._bars), 1)
        return QSize(self.fontMetrics().horizontalAdvance("M") * 36, rows * self._base_row_height() + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.minimumWidth(), self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        if not self._bars:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        locale = QLocale()
        label_width = max(metrics.horizontalAdvance(bar.label) for bar in self._bars) + 12
        value_width = max(metrics.horizontalAdvance(locale.toString(bar.value)) for bar in self._bars) + 10
        track = max(self.width() - label_width - value_width - 4, 10)
        largest = max((bar.value for bar in self._bars), default=0)
        row_height = self._row_height()
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        for row, bar in enumerate(self._bars):
            top = 2 + row * row_height
            painter.setPen(text_color)
            painter.drawText(
                QRectF(0, top, label_width - 8, row_height),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                bar.label,
            )
            length = track * bar.value / largest if largest else 0.0
            if bar.value > 0:
                length = max(length, 3.0)  # a non-zero count never vanishes
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(bar.color)
                inset = max(4, row_height // 5)  # the bar stays a bar, with a gap above and below
                painter.drawRoundedRect(QRectF(label_width, top + inset, length, row_height - 2 * inset), 2, 2)
            painter.setPen(text_color)
            painter.drawText(
                QRectF(label_width + length + 6, top, value_width, row_height),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                locale.toString(bar.value),
            )
        painter.end()
