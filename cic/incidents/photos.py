"""A resident's photo of a threat: checked with Pillow and re-encoded, so what is stored is
a picture and nothing else — no EXIF (GPS position, camera serial), no trailing bytes.

Pillow because it is the maintained standard for reading and writing images in Python; its
decompression-bomb guard stops a tiny file that unpacks to gigapixels.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from cic.incidents.errors import BadPhoto, PhotoTooBig

#: The formats taken, and the media type each is stored and served as.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: The longest side of a stored photo (a phone's 12 MP picture is scaled down).
MAX_SIDE = 2560
MAX_PIXELS = 40_000_000


def clean(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """``data`` re-encoded without metadata, and its media type; ``PhotoTooBig`` over
    ``max_bytes``, ``BadPhoto`` for anything but a readable JPEG, PNG or WebP picture."""
    if len(data) > max_bytes:
        raise PhotoTooBig(f"Zdjęcie jest za duże: najwyżej {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise BadPhoto("Plik zdjęcia jest pusty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=tuple(FORMATS)) as probe:
                kind = probe.format or ""
                if probe.width * probe.height > MAX_PIXELS:
                    raise BadPhoto("Zdjęcie ma zbyt wiele pikseli (najwyżej 40 milionów).")
                probe.load()
                picture = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadPhoto() from None
    except (OSError, ValueError, SyntaxError):  # truncated or broken files
        raise BadPhoto("Nie można odczytać zdjęcia: plik jest uszkodzony.") from None
    if kind not in FORMATS:
        raise BadPhoto()
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 85} if kind in ("JPEG", "WEBP") else {}
    picture.save(out, format=kind, **options)  # no exif= given: none is written
    return out.getvalue(), FORMATS[kind]
