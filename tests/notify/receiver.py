#!/usr/bin/python3
"""A loopback receiver for every HTTP notification service Comradarr speaks.

Usage: receiver.py LOG HMAC_SECRET
Prints its port on the first line of stdout, then serves until killed.

Each request is checked the way its service documents it (path, method,
headers, JSON shape, size limits such as Discord's 2000 characters of
content and Telegram's 4096 of text), written to LOG as one JSON line
(service, path, headers, body, problems, the status answered), and answered
like the service: a malformed request gets the service's 400.

POST /_control {"prefix": "/discord/", "answers": [429, 200]} queues answers
for requests whose path starts with prefix: a number is a status (429 comes
with Retry-After: 1 and the service's body), "hang" waits 20 s and
answers nothing, "slow" answers after a second (both are logged on arrival
with that status, then "slow" again when answered).  With
no queued answer a valid request gets 200 and the service's usual body.
"""
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
SECRET = sys.argv[2].encode()
lock = threading.Lock()
answers = {}   # prefix -> list of answers


def take_answer(path):
    with lock:
        for prefix, queue in answers.items():
            if path.startswith(prefix) and queue:
                return queue.pop(0)
    return None


def check_discord(h, q, body, p):
    if q.get("wait") != ["true"]:
        p.append("no wait=true")
    j = json.loads(body)
    if "content" in j and len(j["content"]) > 2000:
        p.append("content over 2000 characters")
    embeds = j.get("embeds", [])
    if not j.get("content") and not embeds:
        p.append("neither content nor embeds")
    if len(embeds) > 10:
        p.append("more than 10 embeds")
    for e in embeds:
        if len(e.get("title", "")) > 256:
            p.append("embed title over 256")
        if len(e.get("description", "")) > 4096:
            p.append("embed description over 4096")
    return {"id": "1", "type": 0}


def check_slack(h, q, body, p):
    j = json.loads(body)
    if not isinstance(j.get("text"), str):
        p.append("no fallback text")
    for b in j.get("blocks", []):
        t = b.get("text", {}).get("text", "")
        if b["type"] == "header" and (len(t) > 150 or b["text"]["type"] != "plain_text"):
            p.append("bad header block")
        if b["type"] == "section" and len(t) > 3000:
            p.append("section over 3000")
    return "ok"


def check_telegram(h, q, body, p, path):
    parts = path.split("/")
    if len(parts) < 4 or not parts[2].startswith("bot") or parts[3] != "sendMessage":
        p.append("not /bot<token>/sendMessage")
    j = json.loads(body)
    if "chat_id" not in j:
        p.append("no chat_id")
    if not j.get("text") or len(j["text"]) > 4096:
        p.append("text empty or over 4096")
    return {"ok": True, "result": {"message_id": 7}}


def check_pushover(h, q, body, p):
    if not h.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        p.append("not a form")
    f = urllib.parse.parse_qs(body)
    for k in ("token", "user", "message"):
        if k not in f:
            p.append("no " + k)
    if len(f.get("message", [""])[0]) > 1024:
        p.append("message over 1024")
    if len(f.get("title", [""])[0]) > 250:
        p.append("title over 250")
    if int(f.get("priority", ["0"])[0]) not in range(-2, 3):
        p.append("priority out of -2..2")
    return {"status": 1, "request": "r-1"}


def check_gotify(h, q, body, p, path):
    if not path.endswith("/message"):
        p.append("not /message")
    if not h.get("X-Gotify-Key"):
        p.append("no X-Gotify-Key")
    j = json.loads(body)
    if not j.get("message") or not isinstance(j.get("priority", 0), int):
        p.append("no message or bad priority")
    return {"id": 1, "appid": 1}


def check_ntfy(h, q, body, p):
    if not h.get("Title"):
        p.append("no Title")
    if h.get("Priority") not in ("1", "2", "3", "4", "5"):
        p.append("bad Priority")
    if len(body.encode()) > 4096:
        p.append("message over 4096 bytes")
    return {"id": "n1", "event": "message"}


def check_webhook(h, q, body, p):
    ts = h.get("X-Comradarr-Timestamp", "")
    sig = h.get("X-Comradarr-Signature", "")
    want = "sha256=" + hmac.new(SECRET, ts.encode() + b"." + body.encode(),
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, want):
        p.append("bad signature")
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        p.append("stale timestamp")
    if not h.get("X-Comradarr-Delivery"):
        p.append("no delivery id")
    json.loads(body)
    return {"received": True}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        u = urllib.parse.urlsplit(self.path)
        path, q = u.path, urllib.parse.parse_qs(u.query)
        if path == "/_control":
            c = json.loads(body)
            with lock:
                answers[c["prefix"]] = list(c["answers"])
            return self.reply(200, {"ok": True})
        h = {k: v for k, v in self.headers.items()}
        service = path.split("/")[1]
        problems = []
        try:
            if service == "discord":
                ok = check_discord(h, q, body, problems)
            elif service == "slack":
                ok = check_slack(h, q, body, problems)
            elif service == "telegram":
                ok = check_telegram(h, q, body, problems, path)
            elif service == "pushover":
                ok = check_pushover(h, q, body, problems)
            elif service == "gotify":
                ok = check_gotify(h, q, body, problems, path)
            elif service == "ntfy":
                ok = check_ntfy(h, q, body, problems)
            elif service == "webhook":
                ok = check_webhook(h, q, body, problems)
            else:
                ok = None
                problems.append("unknown service")
        except (ValueError, KeyError, TypeError) as e:
            ok = None
            problems.append("malformed: %s" % e)
        a = take_answer(path)
        if a in ("hang", "slow"):
            # written down on arrival: a test kills the sender meanwhile
            with lock:
                with open(LOG, "a") as f:
                    f.write(json.dumps({"t": time.time(), "service": service, "path": path,
                                        "headers": h, "body": body, "problems": problems,
                                        "status": a}) + "\n")
            time.sleep(20 if a == "hang" else 1)
            if a == "hang":
                return
            a = None
        status = a if isinstance(a, int) else (400 if problems else 200)
        rec = {"t": time.time(), "service": service, "path": path, "query": u.query,
               "headers": h, "body": body, "problems": problems, "status": status}
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps(rec) + "\n")
        if status == 429:
            extra = {"Retry-After": "1"}
            ans = ({"ok": False, "error_code": 429, "parameters": {"retry_after": 1}}
                   if service == "telegram" else {"message": "You are being rate limited.",
                                                  "retry_after": 1.0, "global": False})
            return self.reply(429, ans, extra)
        if status != 200:
            return self.reply(status, {"error": "refused", "problems": problems})
        return self.reply(200, ok)

    def reply(self, status, obj, extra=None):
        data = obj.encode() if isinstance(obj, str) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(obj, str)
                         else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
print(srv.server_address[1], flush=True)
srv.serve_forever()
