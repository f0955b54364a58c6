"""packetbuilder: tailored letter-of-recommendation request packets for residency applicants."""

__version__ = "0.1.0"
