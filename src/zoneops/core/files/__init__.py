"""Files in and out: the import engine (``import_engine``: read, check every row, write all or
nothing, report), bulk import from .xlsx/.csv through it (``imports``), workbooks
(``exports``), checks on uploads before any reader sees them (``uploads``), phone photos
(``photos``) and stored uploads (``models``).
"""
