"""Parcel scales: an interface, a serial backend speaking the continuous ST/US line protocol, a sim."""
