"""Lateral's shared library: event contracts, the bus, store and index ports, settings, logging,
metrics, auth and the service runtime. Services share code only through this package."""
