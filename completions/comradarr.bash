# bash completion for comradarr and comradarr-* (installed as "comradarr"
# and linked under each tool's name).  The binaries list their own options
# and verbs (--list-options), so completion always matches the installed
# version: nothing here needs to change when an option is added.

_comradarr_words() {
	# $1: the command words so far (binary first); prints candidates
	"$@" --list-options 2>/dev/null
}

_comradarr() {
	local cur prev words=() i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	case $prev in
	--api-key-file|--*-file|--output|-o)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--dir|-d)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--type)
		if [[ ${COMP_WORDS[1]} == channel ]]; then
			mapfile -t COMPREPLY < <(compgen -W "discord telegram slack pushover gotify ntfy email webhook" -- "$cur")
		elif [[ " ${COMP_WORDS[*]} " == *" registry "* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "gap upgrade" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "sonarr radarr whisparr prowlarr" -- "$cur")
		fi
		return ;;
	--min-severity)
		mapfile -t COMPREPLY < <(compgen -W "info warning error" -- "$cur")
		return ;;
	--quiet-mode)
		mapfile -t COMPREPLY < <(compgen -W "hold drop" -- "$cur")
		return ;;
	--sweep)
		mapfile -t COMPREPLY < <(compgen -W "gaps upgrades all" -- "$cur")
		return ;;
	--zone)
		mapfile -t COMPREPLY < <(compgen -W "UTC $(sed -n 's/^[^#][^	]*	[^	]*	\([^	]*\).*/\1/p' \
			"${TZDIR:-/usr/share/zoneinfo}/zone1970.tab" 2>/dev/null)" -- "$cur")
		return ;;
	--step)
		mapfile -t COMPREPLY < <(compgen -W "rollup prune orphans vacuum sizes" -- "$cur")
		return ;;
	--by)
		mapfile -t COMPREPLY < <(compgen -W "day week" -- "$cur")
		return ;;
	--state)
		mapfile -t COMPREPLY < <(compgen -W "pending queued searching awaiting_import cooldown
			failed exhausted" -- "$cur")
		return ;;
	--algorithm)
		mapfile -t COMPREPLY < <(compgen -W "SHA1 SHA256 SHA512" -- "$cur")
		return ;;
	--connector)
		mapfile -t COMPREPLY < <(compgen -W "$(comradarr connector list --json 2>/dev/null |
			sed -n 's/.*"connector":"\([^"]*\)".*/\1/p')" -- "$cur")
		return ;;
	esac

	# a setting's key after 'settings get|set|reset' (asks the database)
	if [[ ${COMP_WORDS[1]} == settings && $COMP_CWORD -eq 3 && $prev =~ ^(get|set|reset)$ ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(comradarr settings list --json 2>/dev/null |
			sed -n 's/.*"key":"\([^"]*\)".*/\1/p')" -- "$cur")
		return
	fi

	# the command and its verbs so far: everything before cur not starting with -
	words=("${COMP_WORDS[0]}")
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) words+=("${COMP_WORDS[i]}") ;;
		esac
	done
	# a user's name after 'user totp VERB' (asks the database)
	if [ "${words[1]}" = user ] && [ "${words[2]}" = totp ] && [ ${#words[@]} -eq 4 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(comradarr user list --json 2>/dev/null |
			sed -n 's/.*"user":"\([^"]*\)".*/\1/p')" -- "$cur")
		return
	fi
	# a schedule's name after the verbs that take one
	if [ "${words[1]}" = schedule ] && [ ${#words[@]} -eq 3 ]; then
		case ${words[2]} in
		show|edit|rm|enable|disable|next|run)
			mapfile -t COMPREPLY < <(compgen -W "$(comradarr schedule list --json 2>/dev/null |
				sed -n 's/.*"schedule":"\([^"]*\)".*/\1/p')" -- "$cur")
			return ;;
		esac
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(_comradarr_words "${words[@]}")" -- "$cur")
}

complete -F _comradarr comradarr comradarr-sync comradarr-discover comradarr-enqueue \
	comradarr-dispatch comradarr-maint comradarr-notify comradarr-backup comradarr-serve
