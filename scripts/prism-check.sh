#!/bin/sh
# prism-check: a second, independent validator of the mock's responses. The mock runs
# behind Stoplight Prism's validating proxy (its own OpenAPI reader and JSON Schema
# validator, not kin-openapi nor libopenapi-validator); a fixed set of requests covers
# reads, writes, errors and nullable fields (GET .../settings of a chatbot whose settings
# were never saved answers settings: null). Any response Prism flags (sl-violations
# header) fails the check. Usage: scripts/prism-check.sh <prism binary> <mock binary>
set -eu
PRISM=$1
MOCK=$2
SPEC=${PRISM_CHECK_SPEC:-spec/contextgpt.yaml}
MOCK_ADDR=${PRISM_CHECK_MOCK_ADDR:-127.0.0.1:18480}
PRISM_PORT=${PRISM_CHECK_PORT:-18481}
WORK=$(mktemp -d)
cleanup() {
	[ -n "${MOCK_PID:-}" ] && kill "$MOCK_PID" 2>/dev/null || true
	[ -n "${PRISM_PID:-}" ] && kill "$PRISM_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
"$MOCK" --addr "$MOCK_ADDR" --quiet --limits off >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
"$PRISM" proxy "$SPEC" "http://$MOCK_ADDR/api" --host 127.0.0.1 --port "$PRISM_PORT" >"$WORK/prism.log" 2>&1 &
PRISM_PID=$!
BASE="http://127.0.0.1:$PRISM_PORT"
i=0
until curl -s -o /dev/null "http://$MOCK_ADDR/__mock/health" && curl -s -o /dev/null "$BASE/v1/chatbots/my-chatbots"; do
	i=$((i + 1))
	if [ $i -gt 120 ]; then echo "prism-check: mock or prism did not start"; cat "$WORK/prism.log"; exit 1; fi
	sleep 0.5
done
KEY=sk_test_scale_super_admin
ACC=361628903185300004
BOT=361628903185310001
fail=0
n=0
check() { # method path key [json body]
	n=$((n + 1))
	if [ $# -ge 4 ]; then
		curl -s -D "$WORK/h" -o "$WORK/b" -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' --data "$4" "$BASE$2"
	else
		curl -s -D "$WORK/h" -o "$WORK/b" -X "$1" -H "Authorization: Bearer $3" "$BASE$2"
	fi
	# Requests that break the contract on purpose are flagged too; only responses count.
	if grep -i '^sl-violations:' "$WORK/h" | grep -q '"location":\["response"'; then
		echo "prism-check: $1 $2: $(grep -i '^sl-violations:' "$WORK/h")"
		fail=1
	fi
}
NEW=$(curl -s -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data '{"name":"prism-check","description":"d"}' "http://$MOCK_ADDR/api/v1/chatbots/account/$ACC/create-chatbot" |
	sed -n 's/.*"chatbotId":"\([0-9]*\)".*/\1/p')
check GET /v1/chatbots/my-chatbots $KEY
check GET "/v1/chatbots/account/$ACC/all-chatbots" $KEY
check GET "/v1/chatbots/account/$ACC/chatbot/$BOT" $KEY
check GET "/v1/chatbots/chatbot/$NEW/settings" $KEY
check GET "/v1/chatbots/chatbot/$NEW/settings/general" $KEY
check PATCH "/v1/chatbots/chatbot/$NEW/settings" $KEY '{"historyMessageContext":2}'
check GET "/v1/chatbots/chatbot/$NEW/settings" $KEY
check GET "/v1/chatbots/chatbot/$BOT/settings/chat-mode" $KEY
check GET "/v1/chatbots/chatbot/$BOT/settings/user-data" $KEY
check GET "/v1/chatbots/chatbot/$BOT/conversation-starters" $KEY
check GET "/v1/chatbots/chatbot/$BOT/follow-up-prompts" $KEY
check GET "/v1/chatbots/chatbot/$BOT/instructions" $KEY
check GET "/v1/chatbots/chatbot/$BOT/personas" $KEY
check GET "/v1/chatbots/chatbot/$BOT/localization" $KEY
check GET "/v1/chatbots/chatbot/$BOT/text-snippet" $KEY
check GET "/v1/chatbots/chatbot/$BOT/appearance" $KEY
check GET "/v1/chatbots/chatbot/$BOT/lead-settings" $KEY
check GET "/v1/chatting/$BOT/threads" $KEY
check GET "/v1/chatbots/my-chatbots" sk_test_scale_agent
check GET "/v1/chatbots/chatbot/$NEW/settings" sk_test_scale_agent
check GET /v1/chatbots/my-chatbots sk_unknown
check GET /v1/chatbots/my-chatbots sk_test_trial_super_admin
check POST "/v1/chatbots/account/$ACC/create-chatbot" $KEY '{"description":"no name"}'
check DELETE "/v1/chatbots/account/$ACC/chatbot/$NEW" $KEY
echo "prism-check: $n responses through Prism's validating proxy, $([ $fail = 0 ] && echo 'none flagged' || echo 'some flagged')"
exit $fail
