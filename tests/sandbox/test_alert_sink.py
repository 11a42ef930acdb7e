"""The alert sink on its own, driven by plain clients (httpx, smtplib): posts and mails are
recorded in order, each delivery sets its event, STARTTLS and implicit TLS use real TLS, and
stopping frees the ports."""

from __future__ import annotations

import smtplib
import socket
import ssl

import httpx
import pytest

from wizard.sandbox.alert_sink import AlertSink
from wizard.sandbox.ca import SandboxCA

NAME = "mail.sink.test"


@pytest.fixture(scope="module")
def ca() -> SandboxCA:
    return SandboxCA()


def client_context(ca: SandboxCA) -> ssl.SSLContext:
    return ca.client_context()


def test_webhook_posts_are_recorded_with_an_event_each():
    with AlertSink() as sink:
        first, second = sink.webhook.arrival(0), sink.webhook.arrival(1)
        response = httpx.post(sink.webhook_url("/hooks/a"), json={"text": "one"}, timeout=5)
        assert response.status_code == 200 and response.text == "ok"
        assert first.wait(5) and not second.is_set()
        sink.webhook_status = 404
        assert httpx.post(sink.webhook_url("/hooks/b"), json={"text": "two"}, timeout=5).status_code == 404
        assert second.wait(5)
        assert [(p.path, p.json) for p in sink.webhook.items] == [("/hooks/a", {"text": "one"}),
                                                                  ("/hooks/b", {"text": "two"})]
        assert sink.webhook.items[0].headers["content-type"] == "application/json"


def test_a_plain_smtp_session_with_every_command():
    with AlertSink() as sink, smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=5) as smtp:
        assert smtp.helo()[0] == 250
        assert smtp.noop()[0] == 250
        smtp.mail("nobody@x.test")
        smtp.rset()  # the envelope is dropped: RCPT now needs a new MAIL
        assert smtp.rcpt("a@x.test")[0] == 503
        assert smtp.docmd("VRFY", "a@x.test")[0] == 502
        smtp.sendmail("alerts@x.test", ["a@x.test", "b@x.test"],
                      "Subject: hi\r\n\r\n.leading dot\r\nbody\r\n")
        assert sink.smtp.arrival(0).wait(5)
        mail = sink.smtp.items[0]
        assert (mail.sender, mail.recipients, mail.tls, mail.user) == ("alerts@x.test", ["a@x.test", "b@x.test"],
                                                                       False, None)
        assert mail.message["Subject"] == "hi" and mail.data.endswith(b"\r\n.leading dot\r\nbody\r\n")  # unstuffed


def test_starttls_and_a_login(ca):
    with AlertSink(tls=ca.context((NAME,))) as sink, smtplib.SMTP(timeout=5) as smtp:
        smtp._host = NAME  # the name to verify, while connecting to the loopback address
        smtp.connect("127.0.0.1", sink.smtp_port)
        smtp.ehlo()
        assert smtp.has_extn("starttls") and smtp.has_extn("auth")
        smtp.starttls(context=client_context(ca))
        smtp.ehlo()
        assert not smtp.has_extn("starttls")  # offered once, before TLS
        smtp.login("alerts@x.test", "pw-never-kept")
        smtp.sendmail("alerts@x.test", ["oncall@x.test"], "Subject: tls\r\n\r\nover TLS\r\n")
        assert sink.smtp.arrival(0).wait(5)
        mail = sink.smtp.items[0]
        assert mail.tls and mail.user == "alerts@x.test" and "pw-never-kept" not in repr(mail)


def test_tls_from_the_first_byte(ca):
    with AlertSink(tls=ca.context((NAME,)), implicit_tls=True) as sink:
        with socket.create_connection(("127.0.0.1", sink.smtp_port), timeout=5) as raw, \
                client_context(ca).wrap_socket(raw, server_hostname=NAME) as tls:
            assert tls.recv(100).startswith(b"220 ")
            tls.sendall(b"QUIT\r\n")
            assert tls.recv(100).startswith(b"221 ")


def test_stopping_frees_both_ports():
    sink = AlertSink().start()
    web_port, smtp_port = int(sink.webhook_url().split(":")[2].split("/")[0]), sink.smtp_port
    sink.stop()
    for port in (web_port, smtp_port):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
