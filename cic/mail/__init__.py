"""E-mail protocol code: parsing, composing, IMAP and SMTP clients."""
