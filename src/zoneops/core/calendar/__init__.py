"""Chinese working days (``workdays``: holidays, 调休 workdays, any year), reading the State
Council's notice (``notice``), the deadlines counted in working days that apps register and that
move when a year's notice is entered (``deadlines``), and entering that notice (``services``).
"""
