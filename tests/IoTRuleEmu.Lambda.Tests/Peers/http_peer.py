#!/usr/bin/env python3
"""Test peer: an HTTP function endpoint and a Lambda Invoke API double (like the Runtime Interface Emulator).
Prints its port on the first line of stdout."""
import http.server
import json


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        event = json.loads(body or b"{}")
        headers = {"Content-Type": "application/json"}
        if self.path.startswith("/2015-03-31/functions/"):
            # Invoke API: 200 always; a function error is flagged with X-Amz-Function-Error.
            name = self.path.split("/")[3]
            if event.get("fail"):
                status, result = 200, {"errorMessage": "invoke endpoint says no", "errorType": "ValueError", "stackTrace": ["line 1"]}
                headers["X-Amz-Function-Error"] = "Unhandled"
            else:
                status, result = 200, {"function": name, "invocationType": self.headers.get("X-Amz-Invocation-Type"), "event": event}
        elif event.get("fail"):
            status, result = 500, {"errorMessage": "http says no", "errorType": "ValueError"}
        else:
            status, result = 200, {
                "event": event,
                "requestId": self.headers.get("Lambda-Runtime-Aws-Request-Id"),
                "attempt": self.headers.get("X-IoTRuleEmu-Attempt"),
                "custom": self.headers.get("X-Custom"),
            }
        data = json.dumps(result, separators=(",", ":")).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
