#!/usr/bin/python3
"""A real SMTP server for the notify suite: aiosmtpd with STARTTLS required
before AUTH, one login (user/password), every accepted message written to
DIR as N.eml with its envelope in N.json.

Usage: smtpd.py DIR CERT KEY USER PASSWORD [implicit]
With "implicit" it speaks TLS from the first byte (smtps://) instead of
requiring STARTTLS.  Prints its port on the first line of stdout, then
serves until killed.
"""
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out, cert, key, user, password = sys.argv[1:6]
implicit = len(sys.argv) > 6 and sys.argv[6] == "implicit"
count = [0]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        n = count[0]
        with open(os.path.join(out, "%d.eml" % n), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(out, "%d.json" % n), "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": implicit or session.ssl is not None,
                       "login": session.authenticated}, f)
        return "250 OK queued as %d" % n


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
          and auth_data.password.decode() == password)
    # handled=False: aiosmtpd answers a failure with its 535 itself
    return AuthResult(success=ok, handled=False)


ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
if implicit:
    # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; here every
    # byte is already encrypted
    c = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=ctx,
                   auth_require_tls=False, authenticator=authenticator, auth_required=True)
else:
    c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                   require_starttls=True, auth_require_tls=True, authenticator=authenticator,
                   auth_required=True)
c.start()
print(port, flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
stop.wait()
c.stop()
