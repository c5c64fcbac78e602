"""Transfers: consult, attended and blind transfers of a resident's call as a state machine."""
