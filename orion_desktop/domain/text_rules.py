"""Text rules: free text, codes and e-mail addresses. Each refusal is one sentence (InvalidInput).

- **Free text** (titles, names, reasons, notes, customer names, carriers, tracking numbers, ...):
  any printable text. Control characters (Unicode category Cc: NUL, ESC, DEL, ...), format
  characters (Cf: bidi overrides such as U+202E, zero-width U+200B..U+200D, U+FEFF, the soft
  hyphen) and lone surrogates (Cs) are refused: they hide or reorder what people read. Tabs and
  line breaks are ordinary white space: one-line text collapses them (and runs of spaces) to one
  space; notes keep their line breaks.
- **Codes** (SKUs, order numbers, operation keys): one word of ASCII letters, digits and
  ``- _ . / #``; no spaces, no accents, no emoji. Location and store codes have their own,
  stricter sets (``validation.normalize_location_code``).
- **E-mail addresses**: the syntax checked by ``email-validator`` (never the network).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from orion_desktop.domain.errors import InvalidInput

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_WHITESPACE_CONTROLS = frozenset("\t\n\r")  # typed or pasted white space, not hidden characters
CODE_CHARACTERS = "A-Z a-z 0-9 - _ . / #"
"""What a SKU, order number or operation key may contain (documented in the README)."""
_CODE_RE = re.compile(r"[A-Za-z0-9_.#/\-]+")
MAX_CODE_LENGTH = 64
MAX_TEXT_LENGTH = 255
MAX_NOTE_LENGTH = 4000
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit for a forward path
_SHOWN_LENGTH = 40


def shown(value: object) -> str:
    """``value`` quoted for a message, shortened when long (a 5,000-character input stays a short sentence)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 5] + "…"
    return repr(text) if isinstance(value, str) else text


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".strip() if name else f"U+{ord(ch):04X}"


def hidden_character(text: str, *, allow_whitespace: bool = True) -> str | None:
    """The first control, format or surrogate character in ``text`` (None when there is none)."""
    if text.isascii() and text.isprintable():  # the common case, checked in C: no control character there
        return None
    for ch in text:
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES and not (allow_whitespace and ch in _WHITESPACE_CONTROLS):
            return ch
    return None


def refuse_hidden_characters(text: str, what: str, *, allow_whitespace: bool = True) -> None:
    """InvalidInput naming the invisible character, so the user knows what to retype."""
    ch = hidden_character(text, allow_whitespace=allow_whitespace)
    if ch is not None:
        raise InvalidInput(
            f"The {what} contains an invisible control character ({_describe(ch)}); type it again without it."
        )


def _text_of(raw: object, what: str) -> str:
    if not isinstance(raw, str):
        raise InvalidInput(f"The {what} must be text.")
    return raw


def clean_text(raw: object, what: str, *, required: bool = True, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """One line of free text: trimmed, white space collapsed; hidden characters, empty required
    text and over-long text refused. None for empty optional text."""
    if raw is None:
        if required:
            raise InvalidInput(f"A {what} is required.")
        return None
    raw = _text_of(raw, what)
    refuse_hidden_characters(raw, what)
    text = " ".join(raw.split())
    if not text:
        if required:
            raise InvalidInput(f"A {what} is required.")
        return None
    if len(text) > max_length:
        raise InvalidInput(f"The {what} is too long ({len(text):,} characters; at most {max_length:,}).")
    return text


def clean_multiline_text(raw: object, what: str, *, max_length: int = MAX_NOTE_LENGTH) -> str:
    """Required free text that keeps its line breaks (notes); each line is trimmed and collapsed."""
    if raw is None:
        raise InvalidInput(f"A {what} needs some text.")
    raw = _text_of(raw, what)
    refuse_hidden_characters(raw, what)
    if not raw.strip():
        raise InvalidInput(f"A {what} needs some text.")
    text = "\n".join(" ".join(line.split()) for line in raw.strip().splitlines())
    if len(text) > max_length:
        raise InvalidInput(f"The {what} is too long ({len(text):,} characters; at most {max_length:,}).")
    return text


def clean_code(raw: object, what: str, *, required: bool = True, max_length: int = MAX_CODE_LENGTH) -> str | None:
    """A code as typed (case kept, surrounding space trimmed): one word of :data:`CODE_CHARACTERS`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise InvalidInput(f"A {what} is required.")
        return None
    code = _text_of(raw, what).strip()
    refuse_hidden_characters(code, what, allow_whitespace=False)
    if len(code) > max_length:
        raise InvalidInput(f"The {what} is too long ({len(code):,} characters; at most {max_length}).")
    if _CODE_RE.fullmatch(code):
        return code
    if any(ch.isspace() for ch in code):
        raise InvalidInput(
            f"The {what} {shown(code)} contains spaces; it must be one word of letters, digits and - _ . / #."
        )
    bad = " ".join(shown(ch) for ch in sorted({ch for ch in code if not _CODE_RE.fullmatch(ch)}))
    raise InvalidInput(
        f"The {what} {shown(code)} contains {bad}; use only letters A-Z, digits 0-9 and - _ . / #."
    )


def clean_sku(raw: object) -> str:
    """A SKU: a code (see :func:`clean_code`), for example ``CBL-USBC-1M``."""
    sku = clean_code(raw, "SKU")
    assert sku is not None
    return sku


def clean_operation_key(raw: object) -> str:
    """An idempotency key: a code of 1 to 64 characters (a UUID is ideal)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw.strip()) > MAX_CODE_LENGTH:
        raise InvalidInput("An operation key must be 1 to 64 characters (a UUID is ideal).")
    key = clean_code(raw, "operation key")
    assert key is not None
    return key


def clean_email(raw: object, what: str = "e-mail address", *, required: bool = False) -> str | None:
    """An e-mail address in normalized form (domain lowercased), checked for syntax only."""
    text = clean_text(raw, what, required=required, max_length=MAX_EMAIL_LENGTH)
    if text is None:
        return None
    # Imported here: most commands never need it, and the CLI should start fast.
    from email_validator import EmailNotValidError

    try:
        return _normalized_email(text)
    except EmailNotValidError as error:
        raise InvalidInput(f"{shown(text)} is not a valid {what}: {_one_clause(str(error))}.") from None


@functools.lru_cache(maxsize=4096)
def _normalized_email(text: str) -> str:
    """The library's check and normal form of one address, remembered: an order import meets each
    customer's address on every line of the order, and the check costs about 70 us (its IDNA rules
    character by character), a third of the import's Python. A refused address raises, and is not kept."""
    from email_validator import validate_email

    return validate_email(text, check_deliverability=False).normalized


def _one_clause(message: str) -> str:
    """The library's reason as one clause: "It should have a period." -> "it should have a period"."""
    clause = message.strip().rstrip(".").replace(". ", ", ").replace("\n", " ")
    return clause[:1].lower() + clause[1:] if clause else "its form is not that of an e-mail address"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 unit``, ``3 units``, ``0 units``: the count and its noun, agreeing (Qt-free layers' messages).

    The window says the same through ``ui/formatting.plural`` with the user's digit grouping.
    """
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def agreeing(count: int, singular: str, plural_form: str) -> str:
    """The verb agreeing with ``count``: ``agreeing(1, "is", "are")`` -> ``is``."""
    return singular if count == 1 else plural_form


def status_words(value: object) -> str:
    """A stored status as words: ``partially_shipped`` -> ``Partially shipped`` (CLI tables, messages)."""
    raw = getattr(value, "value", value)
    return str(raw).replace("_", " ").capitalize()
