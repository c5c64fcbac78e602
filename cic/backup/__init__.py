"""Backups and restore: one archive with the database, the recordings with their checksums,
the secrets, the state directory's files and the settings (``cic backup``, ``cic restore``),
pruned by age, and the controller's daily run."""
