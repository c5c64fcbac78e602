"""Notifications that leave the office: warnings to residents and call-outs to responders, by
phone call, SMS and e-mail, one delivery per recipient and channel with its result."""
