#!/usr/bin/env python3
"""A custom runtime in Python (urllib only): answers, fails, crashes or hangs as the event asks."""
import json
import os
import sys
import time
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01"
if os.environ.get("INIT_FAIL"):
    body = json.dumps({"errorMessage": "init went wrong", "errorType": "Runtime.InitError", "stackTrace": []}).encode()
    request = urllib.request.Request(API + "/runtime/init/error", data=body, method="POST",
                                     headers={"Lambda-Runtime-Function-Error-Type": "Runtime.InitError"})
    urllib.request.urlopen(request).read()
    sys.exit(1)

while True:
    with urllib.request.urlopen(API + "/runtime/invocation/next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        invocation_id = response.headers.get("Lambda-Runtime-Invocation-Id", "")
        event = json.loads(response.read() or b"{}")
    if event.get("crash"):
        sys.exit(7)
    if event.get("hang"):
        time.sleep(3600)
    result = json.dumps({"runtime": "python", "pid": os.getpid(), "event": event}, separators=(",", ":")).encode()
    request = urllib.request.Request(API + "/runtime/invocation/" + request_id + "/response", data=result, method="POST",
                                     headers={"Lambda-Runtime-Invocation-Id": invocation_id})
    urllib.request.urlopen(request).read()
