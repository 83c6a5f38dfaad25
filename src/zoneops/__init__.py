"""zoneops: the working platform of a development zone's administration committee."""

__version__ = "0.1.0"
