"""Netral: sosialisasi netralitas ASN from the first invitation to the final report."""

__version__ = "0.1.0"
