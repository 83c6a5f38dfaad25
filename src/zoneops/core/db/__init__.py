"""Database plumbing of the framework: the read-replica router (``router``)."""
