"""The closed loop shared by appeals, hazards and tasks: workflows, escalation levels and the
deadline rule (``workflows``), the cases and their history (``models``), opening a case, its
transitions and the tick (``services``), a case's due date in the work calendar
(``deadlines``) and late cases on the dashboard and in the pack (``reporting``).
"""
