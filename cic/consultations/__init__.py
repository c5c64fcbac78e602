"""Public consultations (konsultacje społeczne): a consultation with its documents and period,
residents' comments sent through the portal, their moderation, and the report of comments the
office publishes after the consultation closes.

Editors work at ``/redakcja/konsultacje`` (staff pages, role ``editor``); residents read and
comment at ``/e-urzad/konsultacje`` (public, no session, no cookie).
"""
