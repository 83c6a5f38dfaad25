"""Who acts and what they may see, under everything else in core: the roles (``roles``), which
role may do what (``permissions``), zone scoping of every queryset (``querysets``), the acting
user of a request or command (``context``) and personal data masked for those who do not need
it (``privacy``). Imports nothing of core.
"""
