"""Bytes to text: UTF-8 first, then a detected legacy encoding; binary and broken UTF-8 are refused."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from presslens.ingest.errors import IngestError

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# A complete, well-formed multi-byte UTF-8 sequence: its presence means the bytes were meant as UTF-8.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
#: Share of control characters above which decoded "text" is taken to be binary.
MAX_CONTROL_SHARE = 0.01
#: charset-normalizer's chaos (mess) score above which no encoding is trusted.
MAX_CHAOS = 0.2


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; raise :class:`IngestError` with the reason otherwise."""
    if not data.strip():
        raise IngestError(source, "empty input (no text at all)")
    if data.startswith(_BOMS):
        best = from_bytes(data).best()
        if best is None:
            raise IngestError(source, "undecodable: a UTF-16/32 byte-order mark but invalid content")
        return _checked(str(best), best.encoding, source)
    if b"\x00" in data:
        raise IngestError(source, "binary file (contains NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8-sig"), "utf-8", source)
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise IngestError(
                source, f"invalid UTF-8 at byte {exc.start} (the rest of the file is UTF-8; fix or re-encode it)"
            ) from None
    results = from_bytes(data)
    best = results.best()
    # Short texts fit several single-byte code pages equally well; Windows-1252 is by far the most common.
    best = next((r for r in results if r.encoding == "cp1252" and best and r.chaos <= best.chaos), best)
    if best is None or best.chaos > MAX_CHAOS:
        raise IngestError(source, "binary or undecodable: not UTF-8 and no text encoding fits")
    return _checked(str(best), best.encoding, source)


def _checked(text: str, encoding: str, source: str) -> tuple[str, str]:
    if not text.strip():
        raise IngestError(source, "empty input (only whitespace)")
    if len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise IngestError(source, "binary file (control characters), not text")
    return text, encoding
