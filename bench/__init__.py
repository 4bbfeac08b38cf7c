"""Performance bench for the registry at district scale. Measured, never asserted (see README.md)."""
