#!/bin/bash
# Test peer for "command" functions: the event arrives on stdin, Lambda's variables in the environment.
EVENT=$(cat)
if [[ "$EVENT" == *'"fail"'* ]]; then
  echo "command says no for $AWS_LAMBDA_REQUEST_ID" >&2
  exit 3
fi
printf '{"function":"%s","version":"%s","region":"%s","memory":"%s","custom":"%s","requestId":"%s","attempt":"%s","event":%s}' \
  "$AWS_LAMBDA_FUNCTION_NAME" "$AWS_LAMBDA_FUNCTION_VERSION" "$AWS_REGION" "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" "$MY_SETTING" \
  "$AWS_LAMBDA_REQUEST_ID" "$AWS_LAMBDA_ATTEMPT" "$EVENT"
