"""The audit trail: its rows (``models``), how a change is written and shown (``trail``), the
signals that write one for every save and delete (``signals``), the one bulk writer of many
records and their audit rows (``bulk``), and the four-eyes ledger of who edited a period
(``editors``).
"""
