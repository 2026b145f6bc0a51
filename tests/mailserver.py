"""A real IMAP server for the tests: Debian's Dovecot, started as its own process with its own configuration.

Everything lives in one temporary folder: the configuration, a throwaway TLS certificate made with
`cryptography`, the test users' homes and maildirs, the logs and Dovecot's sockets. It
listens on two free loopback ports: plain IMAP (which offers STARTTLS) and IMAP over TLS. Nothing of the
machine's own Dovecot (/etc/dovecot, the system service) is read or touched.

Each test gets a user of its own (`imap_account`) on one server per run (`dovecot`): every user name
signs in with the server's one password (a static passdb) and gets its own home, so a new user costs a
few folders, not a restart (a passwd-file is re-read at most once a second, too slow for this).

Started as root, Dovecot runs its login processes as its own `dovenull`/`dovecot` users (the package
makes them) and the mail as `nobody`, since it refuses to touch mail as root; started as anyone else it
runs everything as that user. Without Dovecot (`make mail-deps` installs it) the tests that need it are
skipped, unless ATTENT_REQUIRE_DOVECOT=1 (CI), where they fail.
"""

import datetime as dt
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or next(
    (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
)
HOST = "127.0.0.1"

CONFIG = """\
# Written by tests/mailserver.py for one test run; nothing here is read from /etc/dovecot.
instance_name = attent-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {host}
{users}
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
auth_failure_delay = 0 secs
protocol imap {{
  mail_max_userip_connections = 200
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
{login_chroot}}}
# No delay after a failed login, growing or not: the tests fail logins on purpose.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
{extra}
"""


def dovecot_available() -> bool:
    """Whether Debian's Dovecot (dovecot-imapd) is installed here."""
    return DOVECOT is not None and Path("/usr/lib/dovecot/imap").exists()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def make_certificate(root: Path) -> Path:
    """A throwaway self-signed certificate for localhost and 127.0.0.1; returns the certificate's path."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attent test imap")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    os.chmod(root / "key.pem", 0o600)
    return root / "cert.pem"


@dataclass
class MailAccount:
    """One IMAP user on the test server, with its maildir."""

    server: "Dovecot"
    username: str
    password: str
    home: Path

    def maildir(self, folder: str = "INBOX") -> Path:
        """The maildir of one folder (Maildir++ layout: subfolders are `.Name` beside INBOX's cur/new/tmp)."""
        base = self.home / "Maildir"
        return base if folder.upper() == "INBOX" else base / f".{folder}"

    def create_folder(self, folder: str) -> None:
        """Make a folder (Dovecot sees a new Maildir++ subfolder at once)."""
        self.server.make_maildir(self.maildir(folder))

    def drop(self, raw: bytes, folder: str = "INBOX") -> Path:
        """Deliver one raw message as a delivery agent does: write it under tmp/, rename it into new/."""
        box = self.maildir(folder)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.attent-test"
        tmp = box / "tmp" / name
        tmp.write_bytes(raw)
        self.server.own(tmp)
        target = box / "new" / name
        tmp.rename(target)
        return target

    def append(self, raw: bytes, folder: str = "INBOX", *, seen: bool = False) -> None:
        """Put one raw message in a folder through IMAP APPEND, as another mail client would."""
        with imaplib.IMAP4(HOST, self.server.port, timeout=10) as imap:
            imap.login(self.username, self.password)
            flags = "(\\Seen)" if seen else None
            status, detail = imap.append(folder, flags, None, raw)
            assert status == "OK", detail


@dataclass
class Dovecot:
    """A running Dovecot: where it listens, how to trust its certificate, and its users."""

    root: Path
    port: int
    tls_port: int
    uid: int
    gid: int
    process: subprocess.Popen[bytes] | None = None
    host: str = HOST
    password: str = "attent-test-password"
    users: dict[str, MailAccount] = field(default_factory=dict)

    @property
    def ca_file(self) -> Path:
        """The throwaway certificate, to trust in the client's SSL context."""
        return self.root / "cert.pem"

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def log(self) -> str:
        """Dovecot's log so far, for failure messages."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def own(self, path: Path) -> None:
        """Hand a file or folder to the mail user (only needed when the tests run as root)."""
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)

    def make_maildir(self, path: Path) -> None:
        """A maildir with its cur/new/tmp, owned by the mail user."""
        for part in (path, path / "cur", path / "new", path / "tmp"):
            part.mkdir(parents=True, exist_ok=True)
            self.own(part)

    def add_user(self) -> MailAccount:
        """A new user with an empty INBOX, signing in with the server's password."""
        username = f"user-{uuid.uuid4().hex[:12]}"
        home = self.root / "home" / username
        home.mkdir(parents=True)
        self.own(home)
        account = MailAccount(self, username, self.password, home)
        self.make_maildir(account.maildir())
        self.users[username] = account
        return account


def _write_config(server: Dovecot, extra: str) -> Path:
    """Dovecot's configuration for this server, users and folders set up to run as root or as anyone."""
    if os.geteuid() == 0:
        users, login_chroot = "", ""
    else:
        me, group = pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name
        users = f"default_login_user = {me}\ndefault_internal_user = {me}\ndefault_internal_group = {group}\n"
        login_chroot = "  chroot =\n"
    config = server.root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=server.root,
            host=server.host,
            port=server.port,
            tls_port=server.tls_port,
            uid=server.uid,
            gid=server.gid,
            password=server.password,
            users=users,
            login_chroot=login_chroot,
            extra=extra,
        )
    )
    return config


def _wait_until_listening(server: Dovecot, deadline: float) -> None:
    """Block until both ports accept connections, or fail with Dovecot's log."""
    assert server.process is not None
    pending = {server.port, server.tls_port}
    while pending:
        if server.process.poll() is not None:
            raise RuntimeError(f"Dovecot exited with {server.process.returncode}:\n{server.log()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Dovecot did not listen within the time allowed:\n{server.log()}")
        for port in list(pending):
            with socket.socket() as s:
                s.settimeout(0.2)
                if s.connect_ex((server.host, port)) == 0:
                    pending.discard(port)
        if pending:
            time.sleep(0.05)


@contextmanager
def running_dovecot(extra: str = "", startup_seconds: float = 20.0) -> Iterator[Dovecot]:
    """Start Dovecot in a fresh temporary folder, yield it, and stop it and remove the folder after.

    `extra` is appended to the configuration, e.g. `imap_capability = IMAP4rev1` for a server that
    offers less."""
    if DOVECOT is None:
        raise RuntimeError("Dovecot is not installed (make mail-deps)")
    # Not under pytest's tmp_path: that is private to the user running the tests, and Dovecot's mail
    # processes (as `nobody` when started by root) must be able to reach the maildirs.
    root = Path(tempfile.mkdtemp(prefix="attent-dovecot-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
    else:
        uid, gid = os.geteuid(), os.getegid()
    server = Dovecot(root=root, port=free_port(), tls_port=free_port(), uid=uid, gid=gid)
    try:
        (root / "home").mkdir()
        (root / "home").chmod(0o755)
        make_certificate(root)
        config = _write_config(server, extra)
        server.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        _wait_until_listening(server, time.monotonic() + startup_seconds)
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _require_dovecot() -> None:
    """Skip without Dovecot, or fail when the run demands it (ATTENT_REQUIRE_DOVECOT=1)."""
    if dovecot_available():
        return
    reason = "Dovecot (dovecot-imapd) is not installed; `make mail-deps` installs it"
    if os.environ.get("ATTENT_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"ATTENT_REQUIRE_DOVECOT=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One real Dovecot for the whole run (plain IMAP with STARTTLS, and IMAP over TLS)."""
    _require_dovecot()
    with running_dovecot() as server:
        yield server


@pytest.fixture
def imap_account(dovecot: Dovecot) -> MailAccount:
    """A fresh IMAP user with an empty INBOX, for one test."""
    return dovecot.add_user()
