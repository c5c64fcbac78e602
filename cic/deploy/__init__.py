"""Production shapes of cic: files rendered for systemd, the TLS proxy, containers and Kamailio."""
