"""What an import remembers from one chunk of a file to the next, in little memory.

A chunked import (issue 9, item 16) writes each chunk as it goes, inside one transaction, so the
database itself holds the rows of the earlier chunks. What it must still remember is which of
those rows this file already named, and on which line, so that a SKU or a stock row named twice
in one file is refused with the first line's number however far apart the two lines are. Rows
are remembered by id: one bit each for "named already", and 12 bytes each for the line number,
kept in sorted arrays per chunk and searched only for the rare repeat. Two million lines take
about 25 MB, where a dict of keys to line numbers took ten times that.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping


class IdSet:
    """A set of positive integer ids as a bitmap: one bit per id up to the largest one added."""

    def __init__(self) -> None:
        self._bits = bytearray()

    def add(self, key: int) -> None:
        index = key >> 3
        if index >= len(self._bits):
            self._bits.extend(bytes(index + 1 - len(self._bits) + len(self._bits) // 4))  # grow by a quarter
        self._bits[index] |= 1 << (key & 7)

    def discard(self, key: int) -> None:
        index = key >> 3
        if index < len(self._bits):
            self._bits[index] &= ~(1 << (key & 7)) & 0xFF

    def update(self, keys: Iterable[int]) -> None:
        for key in keys:
            self.add(key)

    def __contains__(self, key: int) -> bool:
        index = key >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (key & 7)))

    def __bool__(self) -> bool:
        return any(self._bits)

    def __iter__(self) -> Iterator[int]:
        """The ids, ascending."""
        bits = self._bits
        for index in range(len(bits)):
            byte = bits[index]
            if byte:
                for bit in range(8):
                    if byte & (1 << bit):
                        yield (index << 3) | bit


class FirstLines:
    """Row ids that earlier chunks of a file named, each with the first line that named it."""

    def __init__(self) -> None:
        self._named = IdSet()
        self._runs: list[tuple[array[int], array[int]]] = []  # (ids ascending, their lines), one per chunk

    def add_chunk(self, lines_by_id: Mapping[int, int]) -> None:
        """Remember one chunk's rows: id -> the (first) line of this chunk that named it."""
        if not lines_by_id:
            return
        ids = array("q", sorted(lines_by_id))
        self._runs.append((ids, array("l", (lines_by_id[key] for key in ids))))
        self._named.update(ids)

    def line_of(self, key: int) -> int | None:
        """The line that first named this row, or None if no earlier chunk named it."""
        if key not in self._named:
            return None
        for ids, lines in self._runs:
            at = bisect_left(ids, key)
            if at < len(ids) and ids[at] == key:
                return lines[at]
        return None
