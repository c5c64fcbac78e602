"""Dues ("sprawdź należności"): balances the office imports from its finance system, shown to
a payer who gives their payer number and the PIN from their tax or fee decision, with the
individual bank account and a payment QR code (the Polish banks' format, ZBP's "Standard 2D").

``fileformat`` reads the import file (CSV or XML, described in ``FORMAT.md``), ``importer``
loads it (each import a snapshot of the payers it contains), ``service`` answers a lookup,
``nrb`` and ``qr`` are the bank account number and the payment code.
"""
