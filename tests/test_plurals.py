"""A number and the noun beside it agree, in every text: "1 ячейка", "2 ячейки", "5 ячеек", "21 ячейка".

Each template is rendered with its numbers at 1, 2, 5 and 21. The nouns to check come from the
catalogue's own plural words: a noun after a number is wrong when no set of forms that holds it
gives that form for that number (so "из 21 ячейки", a genitive, passes beside "21 ячейка", and
"1 ячеек" fails). A few texts are also compared whole with what a clerk should read.
"""

from __future__ import annotations

import re

import pytest

from workflows.messages import CATALOG, LANGUAGES, PLURAL, Msg, plural, plural_names

COUNTS = (1, 2, 5, 21)
NUMBER_AND_WORD = re.compile(r"(?<![\w,.-])(\d+) ([а-яё]+)")


def form_sets() -> list[tuple[str, ...]]:
    """Every Russian one/few/many triple the catalogue uses, as the noun that follows the number."""
    found = {
        tuple(form.split()[0] for form in m["forms"].split("|"))
        for ru, _ in CATALOG.values()
        for m in PLURAL.finditer(ru)
    }
    return sorted(found)


def disagreements(text: str, sets: list[tuple[str, ...]]) -> list[str]:
    """The "number noun" pairs in a text where the noun is a known form, but wrong for that number."""
    wrong = []
    for number, word in NUMBER_AND_WORD.findall(text):
        holding = [forms for forms in sets if word in forms]
        if holding and all(plural(int(number), forms, "ru") != word for forms in holding):
            wrong.append(f"{number} {word}")
    return wrong


def rendered(key: str, n: int) -> str:
    """The Russian text with every parameter at n."""
    ru = CATALOG[key][LANGUAGES.index("ru")]
    return Msg(key, dict.fromkeys(plural_names(ru), n)).render("ru")


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_no_number_disagrees_with_its_noun(key: str) -> None:
    sets = form_sets()
    for n in COUNTS:
        text = rendered(key, n)
        assert not disagreements(text, sets), f"{key} at {n}: {text!r}"


def test_the_check_finds_a_disagreement() -> None:
    sets = form_sets()
    assert disagreements("Инвентаризация: 1 ячеек", sets) == ["1 ячеек"]
    assert disagreements("осталось 21 отправлений, 2 отправления", sets) == ["21 отправлений"]
    assert disagreements("пересчитано 3 из 21 ячейки", sets) == []
    assert disagreements("ячейка 21 A-01-1, 5 ячеек", sets) == []


# What a clerk reads, whole, for texts where a number stands beside a noun.
EXPECTED = {
    ("due_back", "count"): {
        1: "К возврату отправителю: 1 отправление",
        2: "К возврату отправителю: 2 отправления",
        5: "К возврату отправителю: 5 отправлений",
        21: "К возврату отправителю: 21 отправление",
    },
    ("rts_picked", "left"): {
        1: "P в мешке B, осталось 1 отправление",
        2: "P в мешке B, осталось 2 отправления",
        5: "P в мешке B, осталось 5 отправлений",
        21: "P в мешке B, осталось 21 отправление",
    },
    ("ret_found", "count"): {
        1: "Возврат: 1 товар по заказу O",
        2: "Возврат: 2 товара по заказу O",
        5: "Возврат: 5 товаров по заказу O",
        21: "Возврат: 21 товар по заказу O",
    },
    ("rts_cancelled", "count"): {
        1: "Отменено: 1 отправление вынуто из мешка и снова ждёт курьера",
        2: "Отменено: 2 отправления вынуты из мешков и снова ждут курьера",
        5: "Отменено: 5 отправлений вынуты из мешков и снова ждут курьера",
        21: "Отменено: 21 отправление вынуто из мешка и снова ждёт курьера",
    },
    ("rep_waits_clock_back", "count"): {
        1: "Часы устройства переводились назад: 1 выдача не учтена",
        2: "Часы устройства переводились назад: 2 выдачи не учтены",
        5: "Часы устройства переводились назад: 5 выдач не учтено",
        21: "Часы устройства переводились назад: 21 выдача не учтена",
    },
}
OTHER = {"parcel": "P", "bag": "B", "order": "O"}


@pytest.mark.parametrize(("key", "param"), sorted(EXPECTED))
def test_texts_read_as_a_clerk_says_them(key: str, param: str) -> None:
    for n, text in EXPECTED[(key, param)].items():
        assert Msg(key, {**OTHER, param: n}).render("ru") == text


def test_a_session_described_agrees_in_the_genitive() -> None:
    """ "Counted 3 of 21 cells" takes the genitive: из 21 ячейки, из 5 ячеек."""
    said = [Msg("inv_doing", {"counted": 3, "cells": n}).render("ru").split(";")[0] for n in (1, 2, 5, 21)]
    assert said == [
        "Инвентаризация: пересчитано 3 из 1 ячейки",
        "Инвентаризация: пересчитано 3 из 2 ячеек",
        "Инвентаризация: пересчитано 3 из 5 ячеек",
        "Инвентаризация: пересчитано 3 из 21 ячейки",
    ]
    english = [Msg("inv_doing", {"counted": 0, "cells": n}).render("en").split(";")[0] for n in (1, 2)]
    assert english == ["Inventory: 0 of 1 cell counted", "Inventory: 0 of 2 cells counted"]
