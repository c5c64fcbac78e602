"""The resident portal (e-urząd): the public pages at ``/e-urzad/`` that need no sign-in.

This package holds what every portal section shares: the page layout and its rendering
(``render``), the anonymous forms' tokens (``forms``), the count of page views (``visits``)
and the pages that belong to no other domain (home, contact form, accessibility statement).
Each section (services, case status, dues, announcements, consultations) lives in its own
domain package and adds its pages with its own ``install``.
"""
