"""Every workflow a station can open, found by its name (a stored session) or its start command."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from workflows import acceptance, dropoff, inventory, issue, kiosk, placement, return_to_sender, returns, send
from workflows.inputs import Command
from workflows.machine import BadMachine, WorkflowError
from workflows.session import Workflow

WORKFLOWS: tuple[Workflow[Any, Any], ...] = (
    acceptance.WORKFLOW,
    placement.WORKFLOW,
    issue.WORKFLOW,
    returns.WORKFLOW,
    return_to_sender.WORKFLOW,
    inventory.WORKFLOW,
    dropoff.WORKFLOW,
    kiosk.WORKFLOW,
    send.WORKFLOW,
)


class UnknownWorkflow(WorkflowError, LookupError):
    """A stored session names a workflow this code does not have."""


def _by_name() -> dict[str, Workflow[Any, Any]]:
    found: dict[str, Workflow[Any, Any]] = {}
    for workflow in WORKFLOWS:
        if workflow.name in found:
            raise BadMachine(f"two workflows named {workflow.name!r}")
        found[workflow.name] = workflow
    return found


def _by_command() -> dict[Command, Workflow[Any, Any]]:
    found: dict[Command, Workflow[Any, Any]] = {}
    for workflow in WORKFLOWS:
        if workflow.command is None:
            continue
        if workflow.command in found:
            raise BadMachine(
                f"{workflow.command.barcode} starts both {found[workflow.command].name} and {workflow.name}"
            )
        found[workflow.command] = workflow
    return found


BY_NAME: Mapping[str, Workflow[Any, Any]] = MappingProxyType(_by_name())
BY_COMMAND: Mapping[Command, Workflow[Any, Any]] = MappingProxyType(_by_command())


def by_name(name: str) -> Workflow[Any, Any]:
    """The workflow a stored session names; UnknownWorkflow if this code has none by that name."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownWorkflow(f"no workflow named {name!r}") from None
