"""Everything that speaks e-mail: IMAP and SMTP clients (the only users of aioimaplib and
aiosmtplib), their typed settings and errors, and MIME parsing and composition."""
