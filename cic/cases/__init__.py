"""The case register (ZSI): contact reports (zgłoszenia), cases (sprawy), JRWA, KPA deadlines."""
