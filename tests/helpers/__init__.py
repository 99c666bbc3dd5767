"""Helpers shared by several test modules: clocks, runtimes, seeding, flows, counters.

Test modules import from here, never from one another (a test module's private helpers
are free to change with that module alone).
"""
