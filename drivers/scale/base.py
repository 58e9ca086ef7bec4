"""The scale interface: one settled weight in grams, or a ScaleError naming why there is none."""

from __future__ import annotations

import abc


class Scale(abc.ABC):
    """A scale a send is weighed on. Reading blocks (a serial port), so callers use an executor."""

    name: str

    @abc.abstractmethod
    def read_grams(self) -> int:
        """The settled gross weight in grams; ScaleError (drivers.exc) when the scale gives none."""

    def status(self) -> dict[str, object]:
        return {"name": self.name, "kind": type(self).__name__}
