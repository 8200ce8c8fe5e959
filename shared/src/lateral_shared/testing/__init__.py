"""Test helpers: in-memory fakes of the ports (for unit tests of pure logic and handlers) and
starters for the real engines used by contract and end-to-end tests."""
