"""Models of the investment app."""
