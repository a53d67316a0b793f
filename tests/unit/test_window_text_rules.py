"""Issue 11, items 7 and 8 in the Qt-free layers: counts agree with their nouns, statuses read as
words, and new order numbers avoid characters that look alike."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain.orders import ORDER_SUFFIX_ALPHABET, OrderStatus, new_order_number
from orion_desktop.domain.text_rules import agreeing, plural, status_words

LOOK_ALIKES = set("0O1IL")
NEW_NUMBER = re.compile(r"^ORD-(\d+)-(\d{8})-([2-9A-HJKMNP-TV-Z]{6})$")


def test_7_plural_agrees_with_the_count() -> None:
    assert plural(1, "unit") == "1 unit"
    assert plural(0, "unit") == "0 units"
    assert plural(2, "line") == "2 lines"
    assert plural(1, "more line", "more lines") == "1 more line"
    assert plural(3, "box", "boxes") == "3 boxes"
    assert f"{plural(1, 'unit')} {agreeing(1, 'is', 'are')} reserved" == "1 unit is reserved"
    assert f"{plural(6, 'unit')} {agreeing(6, 'is', 'are')} reserved" == "6 units are reserved"


def test_7_statuses_read_as_words() -> None:
    assert status_words(OrderStatus.PARTIALLY_SHIPPED) == "Partially shipped"
    assert status_words("active") == "Active"
    assert status_words("") == ""


def test_8_the_alphabet_has_no_look_alikes_and_enough_letters() -> None:
    assert not LOOK_ALIKES & set(ORDER_SUFFIX_ALPHABET)
    assert len(set(ORDER_SUFFIX_ALPHABET)) == len(ORDER_SUFFIX_ALPHABET) == 30  # 30**6: 729 million a day per store
    assert set(ORDER_SUFFIX_ALPHABET) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  # Crockford's base32


@given(st.integers(min_value=1, max_value=99_999))
def test_8_new_numbers_keep_the_seed_shape_and_avoid_look_alikes(store_id: int) -> None:
    number = new_order_number(store_id, date(2026, 12, 4))
    match = NEW_NUMBER.match(number)
    assert match is not None, number
    assert match.group(1) == str(store_id) and match.group(2) == "20261204"
    assert not LOOK_ALIKES & set(match.group(3))


def test_8_many_new_numbers_never_show_a_look_alike() -> None:
    tails = "".join(new_order_number(1, date(2026, 1, 1))[-6:] for _ in range(2000))
    assert not LOOK_ALIKES & set(tails)
    assert len(set(tails)) == 30  # every letter of the alphabet turns up
