"""Organisations, users, passwords, TOTP, API keys and the audit log: the node's accounts.

Storage and cryptography live here; the rules of who may do what are pure code in
:mod:`cawarn.domain.access`. Nothing here knows the web framework or the command line.
"""
