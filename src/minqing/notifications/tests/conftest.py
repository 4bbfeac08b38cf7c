import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from minqing.notifications import channels


class Clock:
    """timezone.now() under the test's control (auto_now_add and the actions both read it)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


class FailingChannel(channels.Channel):
    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise channels.DeliveryError(f"gateway said no ({self.calls})")


@pytest.fixture
def failing_email(monkeypatch):
    channel = FailingChannel()
    monkeypatch.setitem(channels.CHANNELS, "email", channel)
    return channel


class Gateway:
    """A tiny SMS gateway on 127.0.0.1 that records what it receives and answers with `status`."""

    def __init__(self):
        self.requests = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"ok": gateway.status == 200}).encode())

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    gateway = Gateway()
    settings.MINQING_SMS_WEBHOOK_URL = gateway.url
    settings.MINQING_SMS_WEBHOOK_SECRET = "gateway-shared-secret"
    yield gateway
    gateway.close()


@pytest.fixture
def no_gateway(settings):
    settings.MINQING_SMS_WEBHOOK_URL = ""
    settings.MINQING_SMS_WEBHOOK_SECRET = ""
