"""Approved periods of figures (a zone's month of enterprise figures or indicator values).

四眼原则 (four eyes): whoever entered or changed a period's figures may not approve them; the
apps keep a ledger of who wrote each zone's month (``core.audit.editors.EditorLedger``) and
refuse such an approval. Reopening an approved period needs a reason and tells whoever approved
it: the apps send ``month_reopened`` and the notifications app rings that person's bell.
"""

from django.dispatch import Signal

# sender: the approval model; kwargs: zone, year, month, approved_by (a user or None),
# reopened_by, reason, url (the approval's page), what (e.g. "企业月度数据", "经济指标").
month_reopened = Signal()
