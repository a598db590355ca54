#!/bin/sh
# Shell pipelines over Comradarr's JSON lines (comradarr(7)).  Each example
# is a function; run one with:  sh examples/pipelines.sh NAME
set -eu

# The whole job by hand, as the timers run it.
job() {
	comradarr-sync && comradarr-discover | comradarr-enqueue && comradarr-dispatch --once
}

# Search only one show's gaps now: discovery narrowed by jq.
one_show() {
	comradarr-discover --connector tv |
		jq -c 'select(.event == "candidate" and (.series // "" | test("Lost"; "i")))' |
		comradarr-enqueue
}

# Only gaps, never upgrades, for the films connector.
gaps_only() {
	comradarr-discover --connector films | jq -c 'select(.type == "gap")' | comradarr-enqueue
}

# Which connectors are not healthy?
unhealthy() {
	comradarr connector list --json | jq -r 'select(.health != "healthy") | "\(.connector)\t\(.health)\t\(.health_detail // "")"'
}

# What did the last sync change?
sync_changes() {
	comradarr-sync --json | jq -r 'select(.event != "sync_summary") | .event' | sort | uniq -c
}

"${1:-job}"
