"""Configuration files for the test mail servers: Dovecot 2.3 and a Postfix instance.

Pure text rendering; ``tests.mailserver`` writes them and starts the daemons. Everything lives
under one directory and listens on 127.0.0.1 only, on ports the caller picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DOMAINS = ("gmina.test", "mieszkaniec.test")
DH_FILE = Path("/usr/share/dovecot/dh.pem")
PORTS = ("imap_port", "imaps_port", "smtp_port", "submission_port", "submissions_port")


@dataclass(frozen=True)
class Layout:
    """Where one mail system's files are, and the ports and users it runs with."""

    root: Path
    tag: str  # in the servers' greetings, to tell this instance from others on loopback
    imap_port: int
    imaps_port: int
    smtp_port: int
    submission_port: int
    submissions_port: int
    mail_uid: int
    mail_gid: int

    @property
    def dovecot_dir(self) -> Path:
        return self.root / "dovecot"

    @property
    def dovecot_conf(self) -> Path:
        return self.dovecot_dir / "dovecot.conf"

    @property
    def dovecot_log(self) -> Path:
        return self.dovecot_dir / "dovecot.log"

    @property
    def run_dir(self) -> Path:
        """Dovecot's base_dir: its sockets, among them the two Postfix uses."""
        return self.dovecot_dir / "run"

    @property
    def users_dir(self) -> Path:
        """One passwd-file per user, named after the address: Dovecot rereads a changed
        passwd-file at most once a second, but reads a file it has not seen at once."""
        return self.dovecot_dir / "users"

    @property
    def mail_dir(self) -> Path:
        return self.dovecot_dir / "mail"

    @property
    def lmtp_socket(self) -> Path:
        return self.run_dir / "lmtp-postfix"

    @property
    def auth_socket(self) -> Path:
        return self.run_dir / "auth-postfix"

    @property
    def postfix_dir(self) -> Path:
        """Postfix's config_directory (main.cf, master.cf)."""
        return self.root / "postfix"

    @property
    def postfix_spool(self) -> Path:
        """The queue_directory (outside the config directory: Postfix checks that one's
        whole tree is owned by root)."""
        return self.root / "postfix-spool"

    @property
    def postfix_data(self) -> Path:
        return self.root / "postfix-data"

    @property
    def postfix_log(self) -> Path:
        return self.postfix_dir / "postfix.log"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"


def dovecot_conf(layout: Layout, cert: Path, key: Path) -> str:
    """dovecot.conf: IMAP (STARTTLS and IMAPS), LMTP and SASL sockets for Postfix, users from
    a passwd-file with plain-text passwords, maildirs under the layout's root."""
    dh = f"ssl_dh = <{DH_FILE}\n" if DH_FILE.exists() else ""
    return f"""\
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {layout.run_dir}
state_dir = {layout.dovecot_dir / "state"}
instance_name = {layout.tag}
login_greeting = {layout.tag} ready.
log_path = {layout.dovecot_log}
info_log_path = {layout.dovecot_log}
auth_verbose = yes
auth_failure_delay = 0
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{dh}ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = {layout.mail_uid}
first_valid_gid = {layout.mail_gid}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {layout.users_dir}/%u
}}
userdb {{
  driver = static
  args = uid={layout.mail_uid} gid={layout.mail_gid} home={layout.mail_dir}/%d/%n
}}
service imap-login {{
  inet_listener imap {{
    port = {layout.imap_port}
  }}
  inet_listener imaps {{
    port = {layout.imaps_port}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener {layout.lmtp_socket.name} {{
    mode = 0600
    user = postfix
  }}
}}
service auth {{
  unix_listener {layout.auth_socket.name} {{
    mode = 0600
    user = postfix
  }}
}}
# No slowing down of logins from 127.0.0.1 after the tests' deliberate wrong passwords.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol lmtp {{
  postmaster_address = postmaster@{DOMAINS[0]}
}}
"""


def postfix_main_cf(layout: Layout, cert: Path, key: Path) -> str:
    """main.cf: virtual domains delivered to Dovecot over LMTP, nothing delivered anywhere
    else (no relaying off this machine, no local mailboxes)."""
    return f"""\
compatibility_level = 3.6
queue_directory = {layout.postfix_spool}
data_directory = {layout.postfix_data}
mail_owner = postfix
setgid_group = postdrop
maillog_file = {layout.postfix_log}
maillog_file_prefixes = {layout.postfix_dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.{DOMAINS[0]}
mydomain = {DOMAINS[0]}
myorigin = $mydomain
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtputf8_enable = yes
smtpd_banner = $myhostname ESMTP {layout.tag}
smtpd_error_sleep_time = 0
# 100 MB: the hostile-mail test sends a 50 MB attachment (Postfix's default is 10 MB).
message_size_limit = 104857600
# Mail deferred while Dovecot restarts (LMTP socket gone) is tried again within seconds, not
# after Postfix's production back-off of 5 to 67 minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
virtual_mailbox_domains = {" ".join(DOMAINS)}
virtual_transport = lmtp:unix:{layout.lmtp_socket}
smtpd_reject_unlisted_recipient = no
local_transport = error:5.1.1 local delivery is off in tests
default_transport = error:5.7.1 no mail leaves the test mail system
relay_transport = error:5.7.1 no mail leaves the test mail system
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = {layout.auth_socket}
"""


_SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_master_cf(layout: Layout) -> str:
    """master.cf: the inbound SMTP port (no AUTH, like a domain's MX: it relays nowhere),
    and submission with STARTTLS (like 587) and with implicit TLS (like 465), both taking
    only clients that logged in with SASL AUTH (checked by Dovecot)."""
    return f"""\
127.0.0.1:{layout.smtp_port} inet n - n - - smtpd
127.0.0.1:{layout.submission_port} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
{_AUTH_ONLY}
127.0.0.1:{layout.submissions_port} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
{_AUTH_ONLY}
{_SERVICES}"""


_AUTH_ONLY = """\
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"""


POSTFIX_FILES = Path("/etc/postfix/postfix-files")


def postfix_directories(layout: Layout) -> list[tuple[Path, str, str | None, int]]:
    """The queue and data directories Postfix expects, as (path, owner, group or None,
    mode), read from the package's postfix-files (what ``postfix check`` would create, in a
    fraction of its 1.5 s)."""
    names = {
        "$queue_directory": str(layout.postfix_spool),
        "$data_directory": str(layout.postfix_data),
        "$mail_owner": "postfix",
        "$setgid_group": "postdrop",
    }
    found = []
    for line in POSTFIX_FILES.read_text().splitlines():
        fields = line.split(":")
        if len(fields) < 5 or fields[1] != "d" or not fields[0].startswith(_DIR_PREFIXES):
            continue
        path, _, owner, group, mode = (_expand(field, names) for field in fields[:5])
        found.append((Path(path), owner, None if group == "-" else group, int(mode, 8)))
    return found


_DIR_PREFIXES = ("$queue_directory", "$data_directory")


def _expand(field: str, names: dict[str, str]) -> str:
    for name, value in names.items():
        field = field.replace(name, value)
    return field
