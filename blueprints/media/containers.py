"""Where an image file's own data ends, by walking its format's structure.

A file with something after that point (an HTML page, a ZIP archive) is two
files in one, a polyglot: Folio refuses it rather than guess which one a
program will see. Each walker returns the offset just past the image's last
byte, or None when the structure is broken (Pillow then says why).
"""

from __future__ import annotations

import struct


def jpeg_end(data: bytes) -> int | None:
    """The offset after a JPEG's EOI marker (segments, then entropy-coded data)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    size = len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: skip entropy-coded data
            while pos + 1 < size:
                if data[pos] == 0xFF and data[pos + 1] != 0x00:
                    if 0xD0 <= data[pos + 1] <= 0xD7:
                        pos += 2
                        continue
                    break
                pos += 1
    if pos + 2 <= size and data[pos : pos + 2] == b"\xff\xd9":
        return pos + 2
    return None


def png_end(data: bytes) -> int | None:
    """The offset after a PNG's IEND chunk."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return None


def gif_end(data: bytes) -> int | None:
    """The offset after a GIF's trailer byte (0x3B)."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        return None
    flags = data[10]
    pos = 13
    if flags & 0x80:
        pos += 3 * (2 ** ((flags & 0x07) + 1))
    size = len(data)
    while pos < size:
        block = data[pos]
        if block == 0x3B:
            return pos + 1
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor, optional local table, LZW data
            if pos + 10 > size:
                return None
            local = data[pos + 9]
            pos += 10
            if local & 0x80:
                pos += 3 * (2 ** ((local & 0x07) + 1))
            pos = _skip_sub_blocks(data, pos + 1)
        else:
            return None
        if pos is None:
            return None
    return None


def _skip_sub_blocks(data: bytes, pos: int) -> int | None:
    while pos < len(data):
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos
    return None


def riff_end(data: bytes) -> int | None:
    """The offset after a WebP's RIFF container (its size field, padded to even)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    (length,) = struct.unpack("<I", data[4:8])
    return 8 + length + (length & 1)


def isobmff_end(data: bytes) -> int | None:
    """The offset after an AVIF's last whole top-level box."""
    pos = 0
    size = len(data)
    while pos + 8 <= size:
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if length == 1 and pos + 16 <= size:
            (length,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        elif length == 0:
            return size
        if length < 8 or pos + length > size:
            break  # not a box: whatever starts here is not the image's
        pos += length
    return pos or None


WALKERS = {
    "JPEG": jpeg_end,
    "PNG": png_end,
    "GIF": gif_end,
    "WEBP": riff_end,
    "AVIF": isobmff_end,
}


def extra_bytes(image_format: str, data: bytes) -> int:
    """How many bytes follow the image's own data (0 for a clean file).

    A few trailing NUL bytes, which some cameras and editors pad with, do not
    count. A structure the walker cannot follow counts as 0: the decoder,
    which reads the same bytes, is the judge of a broken file.
    """
    walker = WALKERS.get(image_format)
    end = walker(data) if walker else None
    if end is None or end >= len(data):
        return 0
    rest = data[end:]
    return 0 if not rest.strip(b"\x00") else len(rest)
