"""Residents' rights under RODO (GDPR): access (art. 15) as one archive, rectification
(art. 16), erasure or anonymisation where the law allows it (art. 17), and the office's
register of processing activities (art. 30)."""
