"""Code 128 with code sets B and C: the symbols of a code, its width in modules, and its GS k data.

Runs of digits go in code set C (two digits a symbol), the rest in code set B (printable
ASCII), switching where that makes the code shorter: "R-" and 15 digits take 11 data
symbols instead of 17, so a return label fits on 58 mm paper at two dots a module.
"""

from __future__ import annotations

# Bar/space widths of symbol values 0..105 (six digits each), and the stop symbol.
_PATTERNS = (
    "212222222122222221121223121322131222122213122312132212221213221312231212112232122132122231113222"
    "123122123221223211221132221231213212223112312131311222321122321221312212322112322211212123212321"
    "232121111323131123131321112313132113132311211313231113231311112133112331132131113123113321133121"
    "313121211331231131213113213311213131311123311321331121312113312311332111314111221411431111111224"
    "111422121124121421141122141221112214112412122114122411142112142211241211221114413111241112134111"
    "111242121142121241114212124112124211411212421112421211212141214121412121111143111341131141114113"
    "114311411113411311113141114131311141411131211412211214211232"
)
_STOP = "2331112"
CODE_C = 99  # switch to code set C
CODE_B = 100  # switch to code set B
START_B = 104
START_C = 105
SYMBOL_MODULES = 11
STOP_MODULES = 13
QUIET_MODULES = 10  # white either side that scanners need, part of the code's width on paper


def encodable(data: str) -> bool:
    """Whether Code 128 B/C can hold `data`: printable ASCII, at least one character."""
    return bool(data) and all(" " <= ch <= "~" for ch in data)


def _digit_run(data: str, start: int) -> int:
    end = start
    while end < len(data) and data[end].isdigit():
        end += 1
    return end - start


def _segments(data: str) -> list[tuple[str, str]]:
    """The data cut into (code set, text) pieces: "C" for digit pairs, "B" for the rest.

    The rule of ISO/IEC 15417 annex E: C for 4 or more digits at the start or the end and
    for 6 or more in the middle; an odd run keeps its first digit in B. All digits and an
    even count: C throughout.
    """
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(data):
        run = _digit_run(data, i)
        at_start = i == 0
        at_end = i + run == len(data)
        whole = at_start and at_end and run % 2 == 0
        if run < 2 or not (whole or (run >= 4 and (at_start or at_end)) or run >= 6):
            step = max(run, 1)
            out.append(("B", data[i : i + step]))
            i += step
        elif run % 2 == 0:
            out.append(("C", data[i : i + run]))
            i += run
        elif at_start:  # the odd digit goes after the pairs, in B
            out.append(("C", data[i : i + run - 1]))
            out.append(("B", data[i + run - 1]))
            i += run
        else:  # the odd digit goes before the pairs, still in B
            out.append(("B", data[i]))
            out.append(("C", data[i + 1 : i + run]))
            i += run
    merged: list[tuple[str, str]] = []
    for code_set, text in out:
        if merged and merged[-1][0] == code_set:
            merged[-1] = (code_set, merged[-1][1] + text)
        else:
            merged.append((code_set, text))
    return merged


def symbols(data: str) -> list[int]:
    """The symbol values of `data`: start, data with code set switches, checksum (no stop)."""
    if not encodable(data):
        raise ValueError(f"Code 128 B/C takes printable ASCII only: {data!r}")
    values: list[int] = []
    for code_set, text in _segments(data):
        if code_set == "C":
            values.append(START_C if not values else CODE_C)
            values += [int(text[k : k + 2]) for k in range(0, len(text), 2)]
        else:
            values.append(START_B if not values else CODE_B)
            values += [ord(ch) - 32 for ch in text]
    checksum = (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103
    return [*values, checksum]


def widths(data: str) -> list[int]:
    """The code as module widths, bar first: start, data, checksum, stop."""
    digits = "".join(_PATTERNS[v * 6 : v * 6 + 6] for v in symbols(data)) + _STOP
    return [int(d) for d in digits]


def modules(data: str) -> int:
    """How many modules wide the code is, without its quiet zones."""
    return SYMBOL_MODULES * len(symbols(data)) + STOP_MODULES


def escpos_data(data: str) -> str:
    """The GS k m=73 payload: "{B" text, "{C" then one byte (0..99) per digit pair; "{" as "{{"."""
    out: list[str] = []
    for code_set, text in _segments(data):
        if code_set == "C":
            out.append("{C" + "".join(chr(int(text[k : k + 2])) for k in range(0, len(text), 2)))
        else:
            out.append("{B" + text.replace("{", "{{"))
    return "".join(out)
