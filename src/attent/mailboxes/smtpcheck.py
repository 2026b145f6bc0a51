"""Signing in to a mailbox's own SMTP server, to say in "Test connection" what fails before a reply does.

The codes are the IMAP client's (`attent.mail.imap`): dns, refused, timeout, tls, login, network, protocol.
"""

import smtplib
import socket
import ssl

from attent.channels import SmtpSettings
from attent.channels import connect_smtp as connect

__all__ = ["SmtpSettings", "check", "connect"]


def check(settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> str | None:
    """None when the server lets us in, else the code of what failed."""
    try:
        with connect(settings, ssl_context=ssl_context) as smtp:
            smtp.noop()
    except socket.gaierror:
        return "dns"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except (ssl.SSLError, ssl.CertificateError, smtplib.SMTPNotSupportedError):
        return "tls"
    except smtplib.SMTPAuthenticationError:
        return "login"
    except smtplib.SMTPServerDisconnected:
        return "network"
    except smtplib.SMTPException:
        return "protocol"
    except OSError:
        return "network"
    return None
