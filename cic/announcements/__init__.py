"""Announcements of the office (ogłoszenia): by category and sołectwo, public pages with RSS
and Atom feeds, the editors' pages (``/redakcja``), and the e-mail newsletter with double
opt-in, one-click unsubscribe and delivery exactly once per subscriber and announcement.

``models`` (tables), ``rules`` (pure: visibility, targeting, slugs, tokens), ``service``
(announcements), ``newsletter`` (subscriptions), ``delivery`` (the sending loop),
``feeds`` (RSS/Atom), ``views`` / ``editor_views`` (thin handlers), ``plugin`` (wiring).
"""
