"""The office's dashboard: the strategy's success measures and the contact centre's figures.

``period`` is the chosen time span and the one before it; ``schemas`` the figures every
measure returns; ``strategy`` the measures of the strategy's section 7; ``contact_centre``
service level, abandonment, handling times and first-contact resolution; ``erlang`` and
``staffing`` the first line's staffing forecast; ``drill`` the records behind a figure;
``service`` puts them together; ``views`` and ``export`` show and export them.
"""
