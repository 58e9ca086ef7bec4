"""Names a person reads instead of identifiers: workflows and the reasons a parcel goes back.

Parcel states have theirs in reports.py (`rep_state_<state>`), commands theirs in commands.py.
Use them through workflows.messages.workflow_name, return_reason_name, state_name, zone_name
and command_name, never the raw value.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "wf_acceptance": ("приёмку", "acceptance"),
    "wf_placement": ("размещение", "placement"),
    "wf_issue": ("выдачу", "the issue"),
    "wf_customer_return": ("возврат от клиента", "the customer return"),
    "wf_return_to_sender": ("передача курьеру", "the courier hand-over"),
    "wf_dropoff": ("приём от продавца", "the seller drop-off"),
    "wf_send": ("отправка", "the send"),
    "wf_inventory": ("инвентаризацию", "the inventory count"),
    "why_deadline": ("истёк срок хранения", "storage period ended"),
    "why_refused_by_customer": ("отказ клиента", "refused by the customer"),
    "why_customer_return": ("возврат от клиента", "returned by the customer"),
    "why_cancelled": ("заказ отменён", "order cancelled"),
    "why_unknown": ("другая причина", "other reason"),
    "zone_main": ("хранение заказов", "order storage"),
    "zone_returns": ("возвраты", "returns"),
}
