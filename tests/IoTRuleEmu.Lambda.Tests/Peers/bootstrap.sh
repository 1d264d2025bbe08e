#!/bin/bash
# A minimal custom runtime written to the documented Runtime API protocol (curl), as in AWS's custom runtime tutorial.
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01"
LOG="${REQUEST_LOG:-/dev/null}"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  DEADLINE=$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  echo "$REQUEST_ID" >> "$LOG"
  if [[ "$EVENT" == *'"fail"'* ]]; then
    curl -sS -X POST "$API/runtime/invocation/$REQUEST_ID/error" -H "Lambda-Runtime-Function-Error-Type: Custom.BashFailure" \
      -d '{"errorMessage":"bash runtime says no","errorType":"Custom.BashFailure","stackTrace":[]}' > /dev/null
  else
    curl -sS -X POST "$API/runtime/invocation/$REQUEST_ID/response" \
      -d "{\"runtime\":\"bash\",\"handler\":\"$_HANDLER\",\"function\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"deadlineMs\":$DEADLINE,\"event\":$EVENT}" > /dev/null
  fi
done
