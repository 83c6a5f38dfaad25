"""REST framework parts shared by the apps' APIs: the one error body (``errors``), serializer
fields (``fields``) and numbers from the query string (``params``). The router and base
viewsets are in ``zoneops.api``.
"""
