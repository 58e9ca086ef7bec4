"""What a thermal printer puts on paper for the codes in an ESC/POS stream, read back with zbar.

Independent of pvz's encoders: the Code 128 bars come from python-barcode's table and the
GS k payload is read the way an Epson printer reads it ("{A"/"{B"/"{C" select the code set,
"{{" is a brace, in code set C every byte is one digit pair); QR codes are drawn by the
qrcode package from the GS ( k store command at the GS ( k module size. A printer drops a
barcode wider than the paper, so does this. The picture is decoded by zbarimg (zbar-tools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import qrcode  # type: ignore[import-untyped, unused-ignore]
from barcode.charsets.code128 import CODES, STOP  # type: ignore[import-untyped, unused-ignore]
from PIL import Image

_GS_W = re.compile(rb"\x1dw([\x01-\x06])")
_GS_H = re.compile(rb"\x1dh(.)", re.DOTALL)
_GS_K = re.compile(rb"\x1dkI(.)", re.DOTALL)
_QR_STORE = re.compile(rb"\x1d\(k(..)1P0", re.DOTALL)
_QR_SIZE = re.compile(rb"\x1d\(k\x03\x001C(.)", re.DOTALL)
_START = {"A": 103, "B": 104, "C": 105}
_SWITCH = {"A": 101, "B": 100, "C": 99}
QUIET = 10  # modules of white a scanner needs either side


@dataclass(frozen=True)
class PrintedCode:
    kind: str  # "code128" or "qr"
    data: bytes  # as sent to the printer
    module: int  # dots a module
    image: Image.Image | None  # None: wider than the paper, the printer prints nothing


def _code128_values(payload: bytes) -> list[int]:
    """Symbol values (start, data, checksum) of a GS k m=73 payload, as the printer reads it."""
    values: list[int] = []
    code_set = ""
    i = 0
    while i < len(payload):
        if payload[i : i + 1] == b"{" and payload[i + 1 : i + 2] in (b"A", b"B", b"C"):
            code_set = chr(payload[i + 1])
            values.append(_START[code_set] if not values else _SWITCH[code_set])
            i += 2
            continue
        if payload[i : i + 2] == b"{{":
            i += 1  # a brace: the second byte is the data
        byte = payload[i]
        if code_set == "C":
            assert byte <= 99, f"code set C byte {byte}"
            values.append(byte)
        else:
            values.append(byte - 32 if byte >= 32 else byte + 64)
        i += 1
    checksum = (values[0] + sum(k * v for k, v in enumerate(values[1:], 1))) % 103
    return [*values, checksum]


def _code128_image(payload: bytes, module: int, height: int) -> Image.Image:
    # python-barcode keeps the stop symbol without its final two-module bar.
    bits = "".join(CODES[v] for v in _code128_values(payload)) + STOP + "11"
    image = Image.new("L", (len(bits) * module, height), 255)
    for x, bit in enumerate(bits):
        if bit == "1":
            image.paste(0, (x * module, 0, (x + 1) * module, height))
    return image


def _qr_image(payload: bytes, module: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=module, border=0)
    code.add_data(payload)
    image: Image.Image = code.make_image().get_image().convert("L")
    return image


def printed_codes(stream: bytes, *, paper_dots: int) -> list[PrintedCode]:
    """Every barcode and QR code of the stream in print order, each as the printer draws it."""
    found: list[tuple[int, PrintedCode]] = []
    for match in _GS_K.finditer(stream):
        length = match.group(1)[0]
        payload = stream[match.end() : match.end() + length]
        before = stream[: match.start()]
        module = int(_GS_W.findall(before)[-1][0]) if _GS_W.findall(before) else 3
        height = _GS_H.findall(before)[-1][0] if _GS_H.findall(before) else 162
        image = _code128_image(payload, module, height)
        fits = image.width <= paper_dots
        found.append((match.start(), PrintedCode("code128", payload, module, image if fits else None)))
    for match in _QR_STORE.finditer(stream):
        length = int.from_bytes(match.group(1), "little") - 3
        payload = stream[match.end() : match.end() + length]
        sizes = _QR_SIZE.findall(stream[: match.start()])
        module = sizes[-1][0] if sizes else 3
        image = _qr_image(payload, module)
        fits = image.width <= paper_dots
        found.append((match.start(), PrintedCode("qr", payload, module, image if fits else None)))
    return [code for _, code in sorted(found, key=lambda pair: pair[0])]


def _zbarimg(path: Path, *options: str) -> bytes:
    exe = shutil.which("zbarimg")
    assert exe is not None, "zbarimg missing: install zbar-tools (./dev test does)"
    result = subprocess.run(
        [exe, "-q", "--nodbus", *options, str(path)], capture_output=True, check=False, timeout=60
    )
    return result.stdout


def zbar(image: Image.Image, tmp: Path) -> list[str]:
    """What zbarimg reads off the image, one entry a symbol, as "CODE-128:data" / "QR-Code:data".

    zbar guesses a QR code's character set (short UTF-8 Cyrillic comes out as Shift JIS), so a
    QR code's data is read again as raw bytes (-Sbinary) and taken as UTF-8, as a scanner
    configured for UTF-8 does; at most one such QR code an image.
    """
    path = tmp / "zbar-input.png"
    framed = Image.new("L", (image.width + 2 * QUIET * 4, image.height + 40), 255)
    framed.paste(image, (QUIET * 4, 20))
    framed.save(path)
    read = _zbarimg(path).decode("utf-8").splitlines()
    qr = [line for line in read if line.startswith("QR-Code:")]
    if qr and not all(line.isascii() for line in qr):
        assert len(qr) == 1, f"more than one non-ASCII QR code in one image: {qr}"
        raw = _zbarimg(path, "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary").decode("utf-8")
        read = [line for line in read if not line.startswith("QR-Code:")] + [f"QR-Code:{raw}"]
    return sorted(read)


def zbar_codes(stream: bytes, tmp: Path, *, paper_dots: int) -> list[str]:
    """zbar's reading of each code the printer would print from `stream`, in print order."""
    read: list[str] = []
    for code in printed_codes(stream, paper_dots=paper_dots):
        read += zbar(code.image, tmp) if code.image is not None else [f"DROPPED:{code.kind}"]
    return read
