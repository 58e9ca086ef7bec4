"""Texts of sending from the point, its printed label and receipt, and the counter scale's faults."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "send_not_configured": (
        "Отправка с этого пункта не настроена: примите отправление, когда пункт её подключит",
        "Sending is not set up at this point: take the parcel once the point has it set up",
    ),
    "send_start": (
        "Отправка: отсканируйте QR-код отправления в приложении отправителя",
        "Send: scan the QR code of the shipment in the sender's app",
    ),
    "send_cancelled": ("Отправка отменена: ничего не записано", "Send cancelled: nothing was recorded"),
    "send_not_a_qr": (
        "Это не QR-код отправления: попросите отправителя открыть отправление в приложении",
        "This is not a shipment QR code: ask the sender to open the shipment in the app",
    ),
    "send_qr_malformed": (
        "QR-код повреждён: попросите отправителя открыть отправление в приложении ещё раз",
        "The QR code is damaged: ask the sender to open the shipment in the app again",
    ),
    "send_qr_version": (
        "QR-код другого формата: попросите отправителя обновить приложение",
        "The QR code is of another format: ask the sender to update the app",
    ),
    "send_qr_bad_signature": (
        "QR-код не подписан сервисом: не принимайте отправление, попросите открыть его в приложении заново",
        "The QR code is not signed by the service: do not take the parcel; ask for it to be opened in the app again",
    ),
    "send_qr_field": (
        "В QR-коде неверное поле {path}: попросите отправителя оформить отправление заново",
        "The QR code has a wrong field {path}: ask the sender to prepare the shipment again",
    ),
    "send_already_sent": (
        "Отправление {shipment} уже принято: второй раз его не принимают",
        "Shipment {shipment} was already taken: it cannot be taken twice",
    ),
    "send_check": (
        "Отправитель {sender}, отправление {shipment}: проверьте вложение и отсканируйте «Проверка: да» "
        "или «Проверка: нет»",
        "Sender {sender}, shipment {shipment}: check the contents, then scan CHECK: YES or CHECK: NO",
    ),
    "send_check_first": (
        "Сначала проверьте вложение отправителя {sender}: «Проверка: да» или «Проверка: нет»",
        "Check the contents of {sender}'s parcel first: CHECK: YES or CHECK: NO",
    ),
    "send_content_refused": (
        "Вложение не прошло проверку: отправление не принято, верните его отправителю",
        "The contents did not pass the check: the parcel is not taken, give it back to the sender",
    ),
    "send_ask_weight": (
        "Взвесьте и наберите вес: в граммах (1250) или в килограммах с точкой (1.25)",
        "Weigh the parcel and type its weight: in grams (1250) or kilograms with a point (1.25)",
    ),
    "send_ask_weight_scale": (
        "Положите отправление на весы; если весы не работают, наберите вес в граммах",
        "Put the parcel on the scale; if the scale does not work, type the weight in grams",
    ),
    "send_bad_weight": (
        "Вес не понят: наберите граммы (1250) или килограммы с точкой (1.25)",
        "The weight was not understood: type grams (1250) or kilograms with a point (1.25)",
    ),
    "send_too_heavy": (
        "Вес {weight} г больше предела {limit} г: отправление не принимается, разделите его на части",
        "The weight {weight} g is over the limit of {limit} g: the parcel cannot be taken; split it up",
    ),
    "send_ask_length": (
        "Вес {weight} г. Наберите длину в сантиметрах",
        "Weight {weight} g. Type the length in centimetres",
    ),
    "send_ask_width": ("Наберите ширину в сантиметрах", "Type the width in centimetres"),
    "send_ask_height": ("Наберите высоту в сантиметрах", "Type the height in centimetres"),
    "send_bad_side": (
        "Размер не понят: наберите целое число сантиметров",
        "The size was not understood: type whole centimetres",
    ),
    "send_side_too_long": (
        "Сторона {side} см длиннее предела {limit} см: отправление не принимается, переупакуйте его",
        "A side of {side} cm is over the limit of {limit} cm: the parcel cannot be taken; repack it",
    ),
    "send_too_big": (
        "Сумма сторон {total} см больше предела {limit} см: переупакуйте и измерьте снова, начиная с длины",
        "The sides sum to {total} cm, over the limit of {limit} cm: repack and measure again from the length",
    ),
    "send_accepted": (
        "Отправление {shipment} принято: наклейте этикетку, отдайте чек отправителю",
        "Shipment {shipment} taken: stick the label on it, give the receipt to the sender",
    ),
    "send_scale_fault": (
        "Весы: {reason}. Наберите вес на клавиатуре",
        "Scale: {reason}. Type the weight on the keypad",
    ),
    "send_scale_unasked": (
        "Весы показали вес, но отправка не открыта: начните с «Отправка»",
        "The scale showed a weight but no send is open: start with SEND",
    ),
    "scale_garbage": ("весы присылают непонятные данные", "the scale sends unreadable data"),
    "scale_unstable": (
        "вес не устоялся, уберите руки с посылки",
        "the weight did not settle; take your hands off",
    ),
    "scale_overload": ("перегрузка весов", "the scale is overloaded"),
    "scale_negative": ("весы показывают минус, обнулите их", "the scale reads below zero; zero it"),
    "scale_silent": (
        "весы молчат, проверьте кабель и питание",
        "the scale is silent; check its cable and power",
    ),
    "scale_gone": ("весы отключились", "the scale was disconnected"),
    "scale_missing": ("весы не найдены, проверьте кабель", "the scale was not found; check its cable"),
    "doc_send_label": ("Этикетка отправления", "Shipping label"),
    "doc_send_receipt": ("Квитанция отправителя", "Sender's receipt"),
    "doc_send_to": ("Пункт назначения: {point}", "To pickup point: {point}"),
    "doc_send_sender": ("Отправитель: {sender}", "Sender: {sender}"),
    "doc_send_weight": ("Вес: {weight} г", "Weight: {weight} g"),
    "doc_send_sides": ("Размеры: {length} x {width} x {height} см", "Size: {length} x {width} x {height} cm"),
    "doc_send_keep": (
        "Сохраните квитанцию до получения отправления адресатом",
        "Keep this receipt until the parcel is collected",
    ),
}
