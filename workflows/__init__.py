"""The parcel lifecycle as explicit state machines: pure decisions, no I/O of their own."""
