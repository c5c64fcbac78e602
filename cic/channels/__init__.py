"""Contact channels beside the phone: e-mail, the web form and walk-in visits, in one history."""
