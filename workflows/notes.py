"""A clerk's own note to support: a command barcode from the card opens a ticket of kind "note"
(or "not_found": a parcel of the order being issued is not on its shelf).

A note may be scanned at any moment, idle or inside a session, and leaves the session as it was;
inside one that concerns an order (an issue) the ticket names that order, so support and the
video find the right customer.
"""

from __future__ import annotations

from typing import Any

from workflows.context import Ctx
from workflows.inputs import Command
from workflows.messages import Msg, command_name
from workflows.outcome import Feedback, Level
from workflows.session import Outcome, Session
from workflows.tickets import TicketKind, ticket

# Each note command: the ticket's kind and what it says, as the ticket's detail keeps it. NOT FOUND
# is the clerk's word that a parcel of the order being issued is not on its shelf.
NOTES = {
    Command.NOTE_DAMAGED_PACK: (TicketKind.NOTE, "damaged_pack"),
    Command.NOTE_COMPLAINT: (TicketKind.NOTE, "customer_complaint"),
    Command.NOTE_OTHER: (TicketKind.NOTE, "other"),
    Command.NOTE_NOT_FOUND: (TicketKind.NOT_FOUND, "not_found_at_issue"),
}


def note(session: Session[Any, Any] | None, command: Command, ctx: Ctx) -> Outcome:
    """Open the note's ticket; the station's session goes on unchanged."""
    order = getattr(session.data, "order", None) if session is not None else None
    order_id = order if isinstance(order, str) and order else None
    kind, said = NOTES[command]
    opened = ticket(ctx, kind, order_id=order_id, detail={"note": said})
    feedback = Feedback(Level.OK, Msg("tk_note_kept", {"note": command_name(command)}))
    return Outcome(session, feedback, (opened,))
