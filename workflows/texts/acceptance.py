"""Texts of acceptance."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "acc_choose_supply": (
        "Приёмка: отсканируйте упаковку или поставку",
        "Acceptance: scan a package or the supply",
    ),
    "acc_no_supply_for_code": ("Поставка для {code} не найдена", "No supply found for {code}"),
    "acc_supply_closed": ("Поставка {supply} уже закрыта", "Supply {supply} is already closed"),
    "acc_opened": (
        "Приёмка {supply} ({carrier}): ожидается {expected}",
        "Accepting {supply} ({carrier}): {expected} expected",
    ),
    "acc_package_accepted": ("Упаковка {package} принята", "Package {package} accepted"),
    "acc_package_other_supply": (
        "Упаковка {package} из поставки {supply}",
        "Package {package} belongs to supply {supply}",
    ),
    "acc_parcel_accepted": ("Принято {parcel}", "Accepted {parcel}"),
    "acc_parcel_late": (
        "Принято с опозданием {parcel} (было «не поступило»)",
        "Accepted late {parcel} (was missing)",
    ),
    "acc_parcel_other_supply": (
        "Принято {parcel} из поставки {supply}",
        "Accepted {parcel} from supply {supply}",
    ),
    "acc_parcel_damaged": ("{parcel} отмечено как повреждённое", "{parcel} marked damaged"),
    "acc_surplus": (
        "Излишек {parcel}: нет в накладной, записан",
        "Surplus {parcel}: not on the manifest, recorded",
    ),
    "acc_damaged_next": ("Отсканируйте повреждённое отправление", "Scan the damaged parcel"),
    "acc_damaged_needs_parcel": ("Нужно отсканировать отправление", "Scan a parcel, not a package"),
    "acc_paused": ("Приёмка {supply} приостановлена", "Acceptance of {supply} paused"),
    "acc_left": ("Приёмка закрыта", "Acceptance left"),
    "acc_closed": (
        "Поставка {supply} закрыта, не поступило: {missing}",
        "Supply {supply} closed, missing: {missing}",
    ),
    "acc_missing_item": ("Не поступило: {parcel}", "Missing: {parcel}"),
}
