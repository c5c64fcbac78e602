"""Sending SMS through an operator's HTTP API (protocol code, like ``cic.mail``): the
``Provider`` protocol, the SMSAPI.pl client, the parts a text takes and a rate limiter."""
