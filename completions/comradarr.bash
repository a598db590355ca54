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
	--api-key-file|--*-file)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--type)
		case " ${COMP_WORDS[*]} " in
		*" registry "*) i="gap upgrade" ;;
		*) i="sonarr radarr whisparr prowlarr" ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$i" -- "$cur")
		return ;;
	--state)
		mapfile -t COMPREPLY < <(compgen -W "pending queued searching awaiting_import cooldown
			failed exhausted" -- "$cur")
		return ;;
	--connector)
		mapfile -t COMPREPLY < <(compgen -W "$(comradarr connector list --json 2>/dev/null |
			sed -n 's/.*"connector":"\([^"]*\)".*/\1/p')" -- "$cur")
		return ;;
	esac

	# the command and its verbs so far: everything before cur not starting with -
	words=("${COMP_WORDS[0]}")
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) words+=("${COMP_WORDS[i]}") ;;
		esac
	done
	mapfile -t COMPREPLY < <(compgen -W "$(_comradarr_words "${words[@]}")" -- "$cur")
}

complete -F _comradarr comradarr comradarr-sync comradarr-discover comradarr-enqueue \
	comradarr-dispatch
