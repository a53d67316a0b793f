"""A table view whose main text column takes the spare width, and whose figures always stay in sight.

``QHeaderView.Stretch`` would squeeze that column to nothing when the view is narrow and would
stop the user from resizing it; this keeps it readable and lets the user drag it like any other
column. Text columns give way to numbers, never the other way round: when the view is too narrow
for every column, the text columns (the fill column first, down to ``minimum_fill_width``, then
the others down to their header, then the fill column down to a few characters) shrink and
elide, so the number columns (right-aligned in the model's header) keep fitting their contents
inside the view. A width saved from a wider window (or dragged by the user) is kept only while
it pushes no number column out of sight.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

SQUEEZED_FILL_CHARS = 8
"""The fill column's last resort on a very narrow view: a few characters, elided."""
FILL_GIVES_FIRST = 0.6
"""On a narrow view the fill column first shrinks to this share of its readable width, before other columns."""


class FillingTableView(QTableView):
    def __init__(
        self, fill_column: int, minimum_fill_width: int, parent: QWidget | None = None, *,
        keep: frozenset[int] = frozenset(),
        maximum_fill_width: int | None = None,
    ) -> None:
        """``keep``: text columns that give way last on a narrow view (after the other text columns).

        ``maximum_fill_width``: on a wide view the fill column grows to this at most, and the other
        text columns share the rest (a 750-pixel product column left a gap in the middle of the row).
        """
        super().__init__(parent)
        self.fill_column = fill_column
        self.keep = keep
        self.maximum_fill_width = maximum_fill_width
        self._spread: dict[int, int] = {}  # text column -> pixels it got from a capped fill column
        self.minimum_fill_width = minimum_fill_width
        self._auto_width: int | None = None  # the width this view last gave the fill column itself
        self._adjusting = False  # resizing sections here: their sectionResized is ours, not the user's
        self._natural: dict[int, int] = {}  # text columns squeezed on a narrow view -> their width before
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._section_resized)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fill_width()

    def _section_resized(self, section: int, _old: int, _new: int) -> None:
        if section != self.fill_column and not self._adjusting:
            self._natural.pop(section, None)  # the user chose this width: it is not given back later
            self._spread.pop(section, None)
            self.fill_width()  # another column changed: take up (or give back) the difference

    def is_number_column(self, column: int) -> bool:
        """Right-aligned in the model's header: a figure, which must stay in sight."""
        model = self.model()
        if model is None:
            return False
        alignment = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
        if alignment is None:
            return False
        return bool(Qt.AlignmentFlag(int(alignment)) & Qt.AlignmentFlag.AlignRight)

    def fill_width(self) -> None:
        header = self.horizontalHeader()
        model = self.model()
        if model is None or self.fill_column >= model.columnCount() or self._adjusting:
            return
        self._adjusting = True
        try:
            self._fit(header)
        finally:
            self._adjusting = False

    def _fit(self, header: QHeaderView) -> None:
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        for column, extra in self._spread.items():  # what a capped fill column shared is worked out again
            header.resizeSection(column, max(header.sectionSize(column) - extra, header.minimumSectionSize()))
        self._spread = {}
        available = self.viewport().width()
        others = sum(header.sectionSize(c) for c in shown if c != self.fill_column)
        spare = available - others - self.minimum_fill_width
        if spare > 0 and self._natural:  # wider again: squeezed columns get their width back first
            for column in sorted(self._natural):
                size, natural = header.sectionSize(column), self._natural[column]
                grow = min(spare, natural - size)
                if grow > 0:
                    header.resizeSection(column, size + grow)
                    spare -= grow
                if header.sectionSize(column) >= natural:
                    del self._natural[column]
            others = sum(header.sectionSize(c) for c in shown if c != self.fill_column)
        target = available - others
        current = header.sectionSize(self.fill_column)
        user_sized = self._auto_width is not None and current != self._auto_width
        if target >= self.minimum_fill_width:
            # Room for everything: the fill column takes the rest (a user's narrower choice is kept).
            if user_sized and current < target:
                return
            cap = self.maximum_fill_width
            if cap is not None and target > cap and not user_sized:
                self._share(header, shown, target - cap)
                target = cap
            if current != target:
                self._set_fill(header, target)
            return
        if not self.isVisible():  # not laid out yet: its width means nothing, squeeze nothing
            self._set_fill(header, self.minimum_fill_width)
            return
        # Too narrow: the fill column gives way first, then the other text columns, never a number.
        deficit = self.minimum_fill_width - target
        if self.fill_column_is_last_resort(header, shown, deficit):
            return
        self._set_fill(header, self.minimum_fill_width)

    def _share(self, header: QHeaderView, shown: list[int], extra: int) -> None:
        """Give ``extra`` pixels to the text columns other than the fill column, evenly."""
        texts = [c for c in shown if c != self.fill_column and not self.is_number_column(c)]
        for n, column in enumerate(texts):
            part = extra // len(texts) + (1 if n < extra % len(texts) else 0)
            header.resizeSection(column, header.sectionSize(column) + part)
            self._spread[column] = part

    def fill_column_is_last_resort(self, header: QHeaderView, shown: list[int], deficit: int) -> bool:
        """Shrink the other text columns towards their header's width to cover ``deficit`` pixels;
        what they cannot cover comes off the fill column, down to a few characters. True when done."""
        metrics = self.fontMetrics()
        model = self.model()
        padding = metrics.horizontalAdvance("M")
        fill_floor = metrics.horizontalAdvance("n") * SQUEEZED_FILL_CHARS
        # First the fill column gives some of its readable width (never below its floor), then the
        # other text columns.
        share = min(int(self.minimum_fill_width * (1 - FILL_GIVES_FIRST)), self.minimum_fill_width - fill_floor)
        first_give = min(deficit, max(share, 0))
        deficit -= first_give
        # The rightmost text first (the main columns are on the left); the kept columns last.
        order = [c for c in reversed(shown) if c not in self.keep] + [c for c in reversed(shown) if c in self.keep]
        for column in order:
            if deficit <= 0:
                break
            if column == self.fill_column or self.is_number_column(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            floor = max(metrics.horizontalAdvance(title) + padding, header.minimumSectionSize())
            size = header.sectionSize(column)
            give = min(deficit, max(size - floor, 0))
            if give:
                self._natural.setdefault(column, size)
                header.resizeSection(column, size - give)
                deficit -= give
        # (Before, this took the floor of the last text column looked at, not the fill column's.)
        width = max(self.minimum_fill_width - first_give - max(deficit, 0), fill_floor)
        self._set_fill(header, width)
        return True

    def _set_fill(self, header: QHeaderView, width: int) -> None:
        self._auto_width = width
        if header.sectionSize(self.fill_column) != width:
            header.resizeSection(self.fill_column, width)
