"""What an empty page says: not only that it is empty, but what to do next (issue 11, item 14)."""

from __future__ import annotations

NO_STOCK = "No stock yet: File ▸ Import ▸ Import stock, or Set quantity on a product"
NO_ORDERS = "No orders yet: File ▸ Import ▸ Import orders, or New order (Ctrl+N)"
NO_LOCATIONS = "No locations yet: Add location, or File ▸ Import ▸ Import stock (it creates the locations it names)"
NO_LEDGER = "No stock changes recorded yet: every change of stock (an import, an adjustment, a shipment) is listed here"
