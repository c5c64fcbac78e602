"""Departments of the office (komórki organizacyjne): the one owner of their table, their
records and the rules for changing them; other domains read them through this package."""
