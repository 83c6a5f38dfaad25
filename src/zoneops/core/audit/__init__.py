"""The audit trail: its rows (``models``), how a change is written and shown (``trail``), and the
signals that write one for every save and delete (``signals``).
"""
