"""Names of the command barcodes, as the command card prints them."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "cmd_START_ACCEPTANCE": ("Начать приёмку", "Start acceptance"),
    "cmd_START_PLACEMENT": ("Начать размещение", "Start placement"),
    "cmd_START_ISSUE": ("Начать выдачу", "Start issue"),
    "cmd_DONE": ("Готово", "Done"),
    "cmd_CANCEL": ("Отмена", "Cancel"),
    "cmd_DAMAGED": ("Повреждено", "Damaged"),
    "cmd_REFUSE_ITEM": ("Отказ от товара", "Refuse item"),
    "cmd_ID_CHECKED": ("Документ проверен", "ID checked"),
    "cmd_PAID_CASH": ("Оплата наличными", "Paid in cash"),
    "cmd_PAID_CARD": ("Оплата картой", "Paid by card"),
    "cmd_START_RETURN": ("Возврат от клиента", "Customer return"),
    "cmd_START_RETURN_TO_SENDER": ("Передача курьеру", "Courier hand-over"),
    "cmd_START_SEND": ("Отправка", "Send"),
    "cmd_START_INVENTORY": ("Инвентаризация", "Inventory count"),
    "cmd_CHECK_OK": ("Проверка: да", "Check: yes"),
    "cmd_CHECK_FAIL": ("Проверка: нет", "Check: no"),
    "cmd_SHIFT_CLOSE": ("Закрыть смену", "Close shift"),
    "cmd_START_DROPOFF": ("Приём от продавца", "Seller drop-off"),
    "cmd_REOPEN": ("Открыть снова", "Open again"),
    "cmd_NOTE_DAMAGED_PACK": ("Заметка: повреждена упаковка", "Note: damaged packaging"),
    "cmd_NOTE_COMPLAINT": ("Заметка: жалоба клиента", "Note: customer complaint"),
    "cmd_NOTE_OTHER": ("Заметка: другое", "Note: something else"),
    "cmd_NOTE_NOT_FOUND": ("Отправление не найдено", "Parcel not found"),
}
