"""Feedback as plain data and back: how a remote station's answer travels and is kept.

A message is its catalog key and its parameters (numbers, codes as scanned, or other messages),
never rendered text: whoever shows it renders it in the reader's language.
"""

from __future__ import annotations

from typing import Any

from workflows.messages import Msg, Param
from workflows.outcome import Feedback, Level


def msg_data(msg: Msg) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in msg.params.items():
        params[name] = {"msg": msg_data(value)} if isinstance(value, Msg) else value
    return {"key": msg.key, "params": params}


def msg_from(data: Any) -> Msg:
    """The message `msg_data` gave; ValueError for anything else (KeyError: a key with no text)."""
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise ValueError("a message needs a key")
    raw = data.get("params", {})
    if not isinstance(raw, dict):
        raise ValueError("a message's params are an object")
    params: dict[str, Param] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int | dict):
            raise ValueError(f"parameter {name!r} is not a number, a text or a message")
        params[str(name)] = msg_from(value["msg"]) if isinstance(value, dict) else value
    key: str = data["key"]  # a key from the wire: the caller finds whether it has a text (KeyError)
    return Msg(key, params)


def feedback_data(feedback: Feedback) -> dict[str, Any]:
    return {
        "level": feedback.level.value,
        "msg": msg_data(feedback.msg),
        "details": [msg_data(m) for m in feedback.details],
    }


def feedback_from(data: Any) -> Feedback:
    """The feedback `feedback_data` gave; ValueError (or KeyError) for anything else."""
    if not isinstance(data, dict):
        raise ValueError("feedback is an object")
    details = data.get("details", [])
    if not isinstance(details, list):
        raise ValueError("feedback details are a list")
    return Feedback(Level(data.get("level")), msg_from(data.get("msg")), tuple(msg_from(m) for m in details))
