"""A pack station session in plain Python: which lines an order still needs, and what was scanned.

Every scan either counts on exactly one line or is refused with a reason and counts nowhere.
The session only holds what the packer did; stock changes happen when the parcel is completed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.scanning import parse_scan

KnownProduct = Callable[[str], str | None]
"""The name of the product with this SKU or canonical GTIN, or None: a catalog lookup."""


class ScanVerdict(StrEnum):
    COUNTED = "counted"
    WRONG_ITEM = "wrong_item"  # a real product, but not on this order
    UNKNOWN = "unknown"  # a valid code no product has
    BAD_CODE = "bad_code"  # wrong check digit, wrong length, not digits
    OVER_SCAN = "over_scan"  # more than the line still needs
    PLACEHOLDER = "placeholder"  # 0000000000000
    NOT_PACKABLE = "not_packable"  # a line with no physical goods (digital, service)


@dataclass(frozen=True, slots=True)
class PackLine:
    """One open line of the order as the station sees it."""

    item_id: int
    sku: str
    title: str
    gtin: str | None  # canonical GTIN-14
    ordered: int
    shipped: int
    physical: bool = True
    locations: str = ""  # where the open units are reserved, along the picking path ("" when nothing is)

    @property
    def to_pack(self) -> int:
        return self.ordered - self.shipped


@dataclass(frozen=True, slots=True)
class ScanResult:
    verdict: ScanVerdict
    message: str
    item_id: int | None = None
    quantity: int = 0

    @property
    def accepted(self) -> bool:
        return self.verdict is ScanVerdict.COUNTED


@dataclass(frozen=True, slots=True)
class OrderToPack:
    """What the station shows of an order it opens: who it goes to, its status and its open lines."""

    order_number: str
    status: OrderStatus
    customer_name: str | None
    lines: tuple[PackLine, ...]


@dataclass
class PackSession:
    order_number: str
    lines: tuple[PackLine, ...]
    packed: dict[int, int] = field(default_factory=dict)
    _history: list[tuple[int, int]] = field(default_factory=list)  # (item_id, quantity) per accepted scan

    def packed_for(self, item_id: int) -> int:
        return self.packed.get(item_id, 0)

    def _line_for(self, code: str) -> PackLine | None:
        for line in self.lines:
            if line.sku.lower() == code.lower() or (line.gtin is not None and line.gtin == code):  # SKUs ignore case
                return line
        return None

    def scan(self, raw: str, is_known_product: KnownProduct) -> ScanResult:
        """Count one scan (``5*`` prefix = five units), or refuse it and count nothing."""
        try:
            scanned = parse_scan(raw)
        except InvalidInput as error:
            return ScanResult(ScanVerdict.BAD_CODE, str(error))
        code = scanned.code
        if gtin_rules.looks_like_gtin(code):
            if gtin_rules.is_placeholder(code):
                return ScanResult(ScanVerdict.PLACEHOLDER,
                                  "0000000000000 is the placeholder code, not a product. Scan the item's own barcode.")
            try:
                code = gtin_rules.normalize_gtin(code)
            except InvalidInput as error:
                return ScanResult(ScanVerdict.BAD_CODE, str(error))
        elif code.isdigit():
            return ScanResult(ScanVerdict.BAD_CODE,
                              f"{code} is not a barcode ({len(code)} digits). Scan again or type the SKU.")
        line = self._line_for(code)
        if line is None:
            name = is_known_product(code)
            shown = gtin_rules.display_gtin(code) if code.isdigit() else code
            if name:
                return ScanResult(
                    ScanVerdict.WRONG_ITEM, f"Wrong item: {name} ({shown}) is not on order {self.order_number}."
                )
            return ScanResult(ScanVerdict.UNKNOWN, f"Unknown code {shown}: no product has it.")
        if not line.physical:
            return ScanResult(ScanVerdict.NOT_PACKABLE, f"{line.title} has nothing to pack; it ships without a box.",
                              line.item_id)
        left = line.to_pack - self.packed_for(line.item_id)
        if scanned.quantity > left:
            what = "every unit is already packed" if left == 0 else f"only {left} more needed"
            return ScanResult(ScanVerdict.OVER_SCAN,
                              f"Too many {line.title}: {what} (ordered {line.ordered}, shipped {line.shipped}).",
                              line.item_id)
        self.packed[line.item_id] = self.packed_for(line.item_id) + scanned.quantity
        self._history.append((line.item_id, scanned.quantity))
        return ScanResult(ScanVerdict.COUNTED,
                          f"{line.title}: {self.packed[line.item_id]} of {line.to_pack} packed.",
                          line.item_id, scanned.quantity)

    def undo_last(self) -> ScanResult | None:
        """Take back the last counted scan; None when there is nothing to undo."""
        if not self._history:
            return None
        item_id, quantity = self._history.pop()
        self.packed[item_id] -= quantity
        if self.packed[item_id] == 0:
            del self.packed[item_id]
        line = next(line for line in self.lines if line.item_id == item_id)
        return ScanResult(ScanVerdict.COUNTED, f"Took back {quantity} {line.title}.", item_id, -quantity)

    @property
    def is_empty(self) -> bool:
        return not self.packed

    @property
    def is_complete(self) -> bool:
        """Every physical unit still open is in the box."""
        return all(self.packed_for(line.item_id) == line.to_pack for line in self.lines if line.physical)

    def left_open(self) -> list[tuple[PackLine, int]]:
        """Lines (and units) that will stay open if the parcel is completed now."""
        return [
            (line, line.to_pack - self.packed_for(line.item_id))
            for line in self.lines
            if line.physical and line.to_pack > self.packed_for(line.item_id)
        ]
