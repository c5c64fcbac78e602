"""Everything that speaks Asterisk protocols (AMI, FastAGI) and provisions Asterisk."""
