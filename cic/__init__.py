"""cic: a Customer Interaction Center (System Obsługi Klientów) for Polish municipal offices."""

__version__ = "0.1.0"
