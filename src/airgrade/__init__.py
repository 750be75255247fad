"""airgrade: key-industry environmental performance grading and emergency emission-reduction lists."""

__version__ = "0.1.0"
