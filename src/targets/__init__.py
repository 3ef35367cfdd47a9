"""targets: quantitative targets from Chinese climate policy documents, as typed records."""
__version__ = "0.1.0"
