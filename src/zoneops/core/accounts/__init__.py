"""Accounts and their security (等保 2.0): users (``models``), password rules, lockout and idle
sessions (``security``, where the lockout rule lives), the second factor (``twofactor``),
writes with rules on accounts: roles, zone grants, unlocking (``services``), and zone grants in
the audit trail (``signals``).
"""
