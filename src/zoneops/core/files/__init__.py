"""Files in and out: bulk import from .xlsx/.csv, all rows or none (``imports``), workbooks
(``exports``), checks on uploads before any reader sees them (``uploads``), phone photos
(``photos``) and stored uploads (``models``).
"""
