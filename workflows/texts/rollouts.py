"""Texts of the staged rollouts an operator lists and steers (`pvz-central fleet rollouts`)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "rollouts_none": ("Поэтапных выпусков нет", "No staged rollouts"),
    "rollouts_plan": (
        "Выпуск {plan}: {package} {version} на площадках {sites}, этап {stage} из {stages} "
        "({percent} % устройств, получили {devices}) — {state}",
        "Rollout {plan}: {package} {version} at sites {sites}, stage {stage} of {stages} "
        "({percent} % of the devices, {devices} got it) — {state}",
    ),
    "rollouts_state_running": (
        "идёт, следующий этап не раньше {next} UTC",
        "running, next stage at {next} UTC or later",
    ),
    "rollouts_state_paused": ("приостановлен оператором", "paused by the operator"),
    "rollouts_state_paused_failures": (
        "остановлен: сбоев больше {max} % завершённых установок",
        "stopped: more than {max} % of the finished installs failed",
    ),
    "rollouts_state_done": ("все этапы выпущены", "every stage published"),
    "rollouts_state_cancelled": ("отменён", "cancelled"),
    "rollouts_state_expired": (
        "срок действия выпуска истёк до следующего этапа",
        "the release expired before the next stage",
    ),
}
