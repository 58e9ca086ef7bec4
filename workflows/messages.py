"""Everything a clerk or customer reads, in Russian (the default) and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

# key: (Russian, English). Parameters named "amount" are kopecks and print as money.
CATALOG: dict[str, tuple[str, str]] = {
    # bad input
    "code_empty": ("Пустой код", "Empty code"),
    "code_too_long": ("Слишком длинный код", "Code too long"),
    "code_control_char": ("Недопустимый символ в коде", "Control character in code"),
    "code_not_utf8": ("Нечитаемый код (не UTF-8)", "Unreadable code (not UTF-8)"),
    "unknown_command": ("Неизвестная команда {code}", "Unknown command {code}"),
    "unknown_code": ("Неизвестный код {code}", "Unknown code {code}"),
    "command_not_now": (
        "Команда {command} сейчас недоступна ({state})",
        "Command {command} not available now ({state})",
    ),
    "cell_label_not_now": ("Сейчас не нужно сканировать ячейку", "No cell scan expected now"),
    "session_open": ("Сначала завершите: {workflow}", "Finish the open {workflow} first"),
    "claimed_elsewhere": (
        "{code} уже в работе на посту {station}",
        "{code} is being handled at station {station}",
    ),
    "duplicate_scan": (
        "Повторный скан {code}: уже учтено",
        "Duplicate scan {code}: already counted",
    ),
    "session_resumed": ("Пост {station}: продолжается {workflow}", "Station {station}: {workflow} resumed"),
    "cancelled": ("Отменено", "Cancelled"),
    "nothing_open": ("Нет открытой операции", "Nothing is open"),
    "internal_error": ("Внутренняя ошибка, скан не учтён", "Internal error, scan not counted"),
    # clerks and shifts
    "sign_in_first": ("Войдите: отсканируйте свой бейдж", "Sign in: scan your badge"),
    "signed_in": ("Сотрудник {name} на посту", "{name} signed in"),
    "already_signed_in": ("{name} уже на посту", "{name} is already signed in"),
    "badge_inactive": ("Бейдж {name} отключён", "Badge of {name} is disabled"),
    "shift_opened": ("Смена открыта", "Shift opened"),
    "shift_closed": ("Смена закрыта, отчёт напечатан", "Shift closed, report printed"),
    # idle
    "parcel_where": (
        "{parcel}: ячейка {cell}, заказ {order}",
        "{parcel}: cell {cell}, order {order}",
    ),
    "parcel_state": ("{parcel}: статус {state}", "{parcel}: state {state}"),
    "cell_info": (
        "Ячейка {cell}: {occupied} из {capacity}",
        "Cell {cell}: {occupied} of {capacity}",
    ),
    # acceptance
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
    # placement
    "pl_scan_parcel": ("Размещение: отсканируйте отправление", "Placement: scan a parcel"),
    "pl_parcel_first": ("Сначала отсканируйте отправление", "Scan a parcel first"),
    "pl_suggest": ("{parcel} → ячейка {cell}", "{parcel} → cell {cell}"),
    "pl_no_suggestion": (
        "Нет свободной ячейки размера {size}: выберите любую",
        "No free {size} cell: scan any cell with room",
    ),
    "pl_move_from": (
        "Перемещение {parcel} из {cell}: отсканируйте новую ячейку",
        "Moving {parcel} from {cell}: scan the new cell",
    ),
    "pl_not_placeable": (
        "{parcel} нельзя разместить (статус {state})",
        "{parcel} cannot be placed (state {state})",
    ),
    "pl_too_big": (
        "{parcel} ({size}) не помещается в {cell} ({cell_size})",
        "{parcel} ({size}) does not fit {cell} ({cell_size})",
    ),
    "pl_wrong_zone": (
        "Ячейка {cell} — зона «{zone}», не для хранения заказов",
        "Cell {cell} is in the {zone} zone, not for orders",
    ),
    "pl_cell_full": ("Ячейка {cell} заполнена ({capacity})", "Cell {cell} is full ({capacity})"),
    "pl_same_cell": ("Отправление уже в ячейке {cell}", "The parcel is already in cell {cell}"),
    "pl_placed": ("{parcel} размещено в {cell}", "{parcel} stored in {cell}"),
    "pl_placed_elsewhere": (
        "{parcel} размещено в {cell} вместо {suggested}",
        "{parcel} stored in {cell} instead of {suggested}",
    ),
    "pl_moved": ("{parcel} перемещено в {cell}", "{parcel} moved to {cell}"),
    "pl_ended": ("Размещение завершено", "Placement finished"),
    # issue
    "iss_find": (
        "Выдача: номер заказа, код или QR клиента",
        "Issue: order number, pickup code or the customer's QR",
    ),
    "iss_order_not_found": ("Заказ не найден по коду {code}", "No order for code {code}"),
    "iss_nothing_to_issue": (
        "Заказ {order}: нечего выдавать ({states})",
        "Order {order}: nothing to issue ({states})",
    ),
    "iss_found": (
        "Заказ {order}, {customer}: {count} шт., ячейки {cells}",
        "Order {order}, {customer}: {count} parcels, cells {cells}",
    ),
    "iss_amount_due": ("К оплате: {amount}", "Amount due: {amount}"),
    "iss_age_check": (
        "18+: проверьте документ и отсканируйте «Документ проверен»",
        "18+: check ID and scan ID-CHECKED",
    ),
    "iss_other_order": (
        "СТОП: {parcel} из заказа {order}, а выдаётся {expected}",
        "STOP: {parcel} belongs to order {order}, issuing {expected}",
    ),
    "iss_parcel_not_ready": (
        "{parcel} не готово к выдаче ({state})",
        "{parcel} is not ready to issue ({state})",
    ),
    "iss_id_check_required": (
        "{parcel}: 18+, сначала проверьте документ",
        "{parcel}: 18+, check ID first",
    ),
    "iss_id_checked": ("Документ проверен", "ID checked"),
    "iss_id_not_needed": ("Проверка документа не требуется", "No ID check needed"),
    "iss_taken": ("Выдаётся {parcel}, осталось {left}", "Taking {parcel}, {left} left"),
    "iss_taken_all": ("Все отправления собраны: «Готово»", "All parcels collected: scan DONE"),
    "iss_was_refused": ("{parcel}: клиент отказался", "{parcel}: refused by the customer"),
    "iss_refuse_next": (
        "Отсканируйте отправление, от которого отказались",
        "Scan the refused parcel",
    ),
    "iss_refused": (
        "Отказ от {parcel}. К оплате: {amount}",
        "{parcel} refused. Amount due: {amount}",
    ),
    "iss_nothing_to_pay": ("Оплата не требуется", "Nothing to pay"),
    "iss_paid": ("Оплата {amount} получена", "Payment {amount} received"),
    "iss_payment_required": (
        "Примите оплату {amount} и отсканируйте «Оплачено»",
        "Take payment of {amount} and scan PAID",
    ),
    "iss_nothing_taken": (
        "Ничего не выдано: отсканируйте отправления или «Отмена»",
        "Nothing taken: scan parcels or CANCEL",
    ),
    "iss_done": (
        "Заказ {order} выдан: {count} шт., отказ {refused}, оплата {amount}",
        "Order {order} issued: {count}, refused {refused}, paid {amount}",
    ),
    "iss_remaining": ("Осталось на хранении: {count}", "Still stored: {count}"),
    "iss_cancelled": ("Выдача заказа {order} отменена", "Issue of order {order} cancelled"),
    "iss_ended": ("Выдача закрыта", "Issue closed"),
    # printed documents
    "doc_receipt": ("Чек выдачи заказа", "Order issue receipt"),
    "doc_acceptance_act": ("Акт приёмки поставки", "Supply acceptance act"),
    "doc_command_card": ("Карта команд", "Command card"),
    "doc_point": ("Пункт выдачи {site}, устройство {device}", "Pickup point {site}, device {device}"),
    "doc_date": ("Дата: {ts}", "Date: {ts}"),
    "doc_order": ("Заказ {order}", "Order {order}"),
    "doc_customer": ("Получатель: {customer}", "Recipient: {customer}"),
    "doc_issued": ("Выдано ({count}):", "Issued ({count}):"),
    "doc_refused": ("Отказ ({count}):", "Refused ({count}):"),
    "doc_remaining": ("Осталось на хранении: {count}", "Still stored: {count}"),
    "doc_paid": ("Оплачено", "Paid"),
    "doc_prepaid": ("Оплачено заранее", "Prepaid"),
    "doc_thanks": ("Спасибо за заказ!", "Thank you for your order!"),
    "doc_supply": ("Поставка {supply}, перевозчик {carrier}", "Supply {supply}, carrier {carrier}"),
    "doc_counts": ("Ожидалось {expected}, принято {accepted}", "Expected {expected}, accepted {accepted}"),
    "doc_missing": ("Не поступило ({count}):", "Missing ({count}):"),
    "doc_surplus": ("Излишки ({count}):", "Surplus ({count}):"),
    "doc_damaged": ("Повреждено ({count}):", "Damaged ({count}):"),
    "doc_packages": ("Упаковки: принято {accepted} из {total}", "Packages: {accepted} of {total} accepted"),
    "doc_sign_courier": ("Курьер: ________________", "Courier: ________________"),
    "doc_sign_clerk": ("Сотрудник ПВЗ: __________", "Clerk: ____________________"),
    "doc_station": ("Пост {station}", "Station {station}"),
    # the demo's timeline
    "demo_title": ("Демо: день пункта выдачи {site}, {day}", "Demo: a day at pickup point {site}, {day}"),
    "demo_manifests": (
        "Получены накладные: {supplies} поставки, {parcels} отправлений, {orders} заказов",
        "Manifests received: {supplies} supplies, {parcels} parcels, {orders} orders",
    ),
    "demo_acceptance": ("Приёмка поставки {supply}", "Acceptance of supply {supply}"),
    "demo_placement": ("Размещение по ячейкам", "Placement into cells"),
    "demo_issue": ("Выдача клиентам", "Issue to customers"),
    "demo_customer": ("Клиент: {customer}, заказ {order}", "Customer: {customer}, order {order}"),
    "demo_last_week": (
        "Неделей раньше: приёмка поставки {supply}",
        "A week earlier: acceptance of supply {supply}",
    ),
    "demo_expired": (
        "Ночная проверка сроков: {count} шт. к возврату отправителю",
        "Overnight deadline sweep: {count} due back to the sender",
    ),
    "demo_shift_change": ("Пересменка", "Shift change"),
    "demo_customer_return": ("Возврат: {customer}, заказ {order}", "Return: {customer}, order {order}"),
    "demo_send_back": (
        "Возврат отправителю: курьер забирает мешок",
        "Return to sender: the courier takes a bag",
    ),
    "demo_inventory": (
        "Инвентаризация ({strayed} лежит не на своём месте, {lost} потерян)",
        "Inventory count ({strayed} is on the wrong shelf, {lost} is lost)",
    ),
    "demo_summary": ("Итоги дня", "Summary of the day"),
    "cmd_START_ACCEPTANCE": ("Начать приёмку", "Start acceptance"),
    "cmd_START_PLACEMENT": ("Начать размещение", "Start placement"),
    "cmd_START_ISSUE": ("Начать выдачу", "Start issue"),
    "cmd_DONE": ("Готово", "Done"),
    "cmd_CANCEL": ("Отмена", "Cancel"),
    "cmd_DAMAGED": ("Повреждено", "Damaged"),
    "cmd_REFUSE_ITEM": ("Отказ от товара", "Refuse item"),
    "cmd_ID_CHECKED": ("Документ проверен (18+)", "ID checked (18+)"),
    "cmd_PAID": ("Оплачено", "Paid"),
    "cmd_START_RETURN": ("Возврат от клиента", "Customer return"),
    "cmd_START_RETURN_TO_SENDER": ("Возврат отправителю", "Return to sender"),
    "cmd_START_INVENTORY": ("Инвентаризация", "Inventory count"),
    "cmd_CHECK_OK": ("Проверка: да", "Check: yes"),
    "cmd_CHECK_FAIL": ("Проверка: нет", "Check: no"),
    "cmd_SHIFT_CLOSE": ("Закрыть смену", "Close shift"),
}


def register(texts: dict[str, tuple[str, str]]) -> None:
    """Add a module's own texts (Russian, English); a key may be defined only once."""
    clash = CATALOG.keys() & texts.keys()
    if clash:
        raise KeyError(f"message keys defined twice: {sorted(clash)}")
    CATALOG.update(texts)


@dataclass(frozen=True, slots=True)
class Msg:
    """A message key and its parameters; rendered in the reader's language at the edge."""

    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key not in CATALOG:
            raise KeyError(f"message key {self.key!r} has no text")

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        template = CATALOG[self.key][LANGUAGES.index(lang)]
        values = {
            k: format_money(v, lang) if k == "amount" and isinstance(v, int) else v
            for k, v in self.params.items()
        }
        return template.format(**values)


def format_money(kopecks: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """1 234,50 ₽ in Russian, RUB 1,234.50 in English."""
    rubles, kop = divmod(kopecks, 100)
    if lang == "ru":
        return f"{rubles:,}".replace(",", "\u00a0") + f",{kop:02d} ₽"
    return f"RUB {rubles:,}.{kop:02d}"
