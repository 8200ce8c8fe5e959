"""Adapters of the cleanser: reading the address gazetteer from its CSV file."""
