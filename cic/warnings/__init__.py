"""Warnings to residents (portal banner, e-mail, SMS, voice calls) and the subscriptions with
consent that decide who gets them."""
