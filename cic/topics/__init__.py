"""Topic tagging of call transcripts: an editable taxonomy of municipal matters, a rule tagger
on lemmatised Polish, and a model learned from supervisors' corrections."""
