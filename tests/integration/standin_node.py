"""A stand-in for one Keycloak node behind the balancer, for
tests/integration/balancer.sh: it answers on an HTTP port and on a
management port, the way a node does, and nothing more.

  HTTP port:        GET /whoami -> 200, the node's name and the X-Forwarded-*
                    headers it received (one "Name: value" a line)
                    GET /login  -> 200 and Set-Cookie AUTH_SESSION_ID=ID.NAME,
                    as Keycloak sets it when a login page is shown
  management port:  GET /health/ready -> 200, or 503 with Keycloak's DOWN body
                    while the file READY_FILE does not exist
                    GET /health/live  -> 200

Usage: python3 standin_node.py NAME ADDRESS HTTP_PORT MANAGEMENT_PORT READY_FILE
"""
import http.server
import os
import sys
import threading
import uuid

name, address, http_port, management_port, ready_file = sys.argv[1:6]


class Node(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body, headers=()):
        data = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/whoami":
            lines = [name] + ["%s: %s" % (k, v) for k, v in self.headers.items()
                              if k.lower().startswith("x-forwarded") or k.lower() == "forwarded"]
            self.answer(200, "\n".join(lines) + "\n")
        elif self.path == "/login":
            cookie = "AUTH_SESSION_ID=%s.%s; Path=/; HttpOnly" % (uuid.uuid4(), name)
            self.answer(200, name + "\n", [("Set-Cookie", cookie)])
        else:
            self.answer(404, "not found\n")


class Management(Node):
    def do_GET(self):
        if self.path == "/health/live":
            self.answer(200, '{"status": "UP", "checks": []}')
        elif self.path != "/health/ready":
            self.answer(404, "not found\n")
        elif os.path.exists(ready_file):
            self.answer(200, '{"status": "UP", "checks": []}')
        else:
            self.answer(503, '{"status": "DOWN", "checks": []}')


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # HAProxy's checks close their connections as soon as they have
        # read the status line: not an error.
        pass


def serve(handler, port):
    Server((address, int(port)), handler).serve_forever()


threading.Thread(target=serve, args=(Management, management_port), daemon=True).start()
serve(Node, http_port)
