"""The zone tree and what every record has: ``models`` (Zone, Department, ZoneopsModel, Located),
the tree's rules (``services``: who may change it, no cycle, no deletion of a zone holding
data), the figures apps add to the zone tree (``figures``) and map geometry (``geo``: WGS-84
to GCJ-02, coordinate cells, boundaries).
"""
