#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# main-job.sh: chatcrm end to end on this machine, with real parts.
#
#   bash tests/main-job.sh              Finch in this terminal, as the agent
#   bash tests/main-job.sh --headless   the same story with headless clients,
#                                       printed, and checked
#
# Installs the packages (tests/install-deps.sh), builds into build/, starts
# a throwaway prosody on 127.0.0.1 with the accounts sales@, support@ and
# customer@crm.test, seeds a store with the Northwind customers and links
# customer@crm.test to Maria Anders.  Then either Finch opens logged in as
# the sales agent with the plugin loaded while the customer's headless
# client writes to it, or (--headless) headless clients play the agents:
# the customer writes, the sales agent's conversation shows the card, the
# agent notes, schedules a follow-up and hands over to billing, and the
# support agent opens the customer and sees it all.  Everything started
# here is stopped and the temporary directory removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build="$top/build"
domain=crm.test
wait_s=${CRM_WAIT_SECONDS:-30}
headless=0

usage() {
	echo "usage: bash tests/main-job.sh [--headless] [--no-deps]" >&2
	exit 2
}

deps=1
for arg in "$@"; do
	case "$arg" in
	--headless) headless=1 ;;
	--no-deps) deps=0 ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done

say() { printf '\n== %s\n' "$*"; }
die() {
	printf '\nmain-job: FAILED: %s\n' "$*" >&2
	exit 1
}

if [ "$headless" -eq 0 ] && { [ ! -t 0 ] || [ ! -t 1 ]; }; then
	die "Finch needs a terminal; run this in one, or use --headless"
fi

# ---- packages and build ------------------------------------------------

if [ "$deps" -eq 1 ]; then
	say "Packages"
	bash "$here/install-deps.sh"
fi

say "Building into $build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top"
fi
ninja -C "$build"

admin="$build/shared-store/chatcrm-admin"
plugin="$build/plugin/chatcrm.so"
client="$build/tests/integration/crm-headless"
csv="$here/integration/data/northwind__customers.csv"
for f in "$admin" "$plugin" "$client"; do
	[ -x "$f" ] || [ -f "$f" ] || die "the build did not make $f"
done

# ---- clean-up, whatever happens ----------------------------------------

tmp=$(mktemp -d /tmp/chatcrm-main.XXXXXX)
pids=()
prosody_pid=
writer_pid=

cleanup() {
	local status=$? pid
	trap - EXIT INT TERM HUP
	if [ -n "$writer_pid" ]; then
		kill "$writer_pid" 2>/dev/null || true
	fi
	# Closing a client's stdin makes it flush and quit on its own.
	exec 3>&- 4>&- 5>&- || true
	for pid in "${pids[@]}"; do
		timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null \
			|| kill "$pid" 2>/dev/null || true
	done
	if [ -n "$prosody_pid" ]; then
		kill "$prosody_pid" 2>/dev/null || true
		timeout 10 tail --pid="$prosody_pid" -f /dev/null 2>/dev/null \
			|| kill -9 "$prosody_pid" 2>/dev/null || true
	fi
	if [ -n "${CRM_KEEP_TMP:-}" ]; then
		echo "main-job: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Waits until FILE has a line matching every extended regex given, after
# its first $from lines (0 unless the caller sets it).
from=0
wait_for() {
	local file=$1 what=$2
	shift 2
	local deadline=$((SECONDS + wait_s)) pattern lines
	while [ "$SECONDS" -lt "$deadline" ]; do
		lines=$(tail -n "+$((from + 1))" "$file" 2>/dev/null || true)
		for pattern in "$@"; do
			lines=$(printf '%s\n' "$lines" | grep -E -- "$pattern" || true)
		done
		if [ -n "$lines" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "main-job: waited ${wait_s}s in vain for $what; $file has:" >&2
	sed 's/^/    /' "$file" >&2 || true
	return 1
}

# ---- the server ------------------------------------------------------------

say "Starting a throwaway prosody on 127.0.0.1"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/prosody/certs" "$tmp/prosody/data"
config="$tmp/prosody/prosody.cfg.lua"
cat >"$config" <<EOF
run_as_root = true
daemonize = false
pidfile = "$tmp/prosody/prosody.pid"
data_path = "$tmp/prosody/data"
certificates = "$tmp/prosody/certs"
log = { info = "$tmp/prosody/prosody.log"; error = "$tmp/prosody/prosody.err"; }
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "posix"; }
modules_disabled = { "s2s" }
s2s_ports = { }
c2s_ports = { $port }
c2s_interfaces = { "127.0.0.1" }
interfaces = { "127.0.0.1" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"
VirtualHost "$domain"
EOF
for user in sales support customer; do
	timeout 60 prosodyctl --config "$config" register "$user" "$domain" \
		"pw-$user" >/dev/null
done

# Rosters are read at start: the agents and the customer are buddies.
roster_dir="$tmp/prosody/data/crm%2etest/roster"
mkdir -p "$roster_dir"
write_roster() {
	local user=$1 contact
	shift
	{
		echo 'return {'
		echo '	[false] = { ["version"] = 1; ["pending"] = {}; };'
		for contact in "$@"; do
			echo "	[\"$contact@$domain\"] = { [\"subscription\"] = \"both\";" \
				'["groups"] = { ["CRM"] = true; }; };'
		done
		echo '};'
	} >"$roster_dir/$user.dat"
}
write_roster sales customer support
write_roster support customer sales
write_roster customer sales support

prosody --config "$config" -F >"$tmp/prosody/prosody.out" 2>&1 &
prosody_pid=$!
deadline=$((SECONDS + wait_s))
until (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	kill -0 "$prosody_pid" 2>/dev/null \
		|| die "prosody exited: $(cat "$tmp/prosody/prosody.out")"
	[ "$SECONDS" -lt "$deadline" ] || die "prosody did not listen in ${wait_s}s"
	sleep 0.05
done
echo "prosody listens on 127.0.0.1:$port (sales, support, customer @$domain)"

# ---- the store ---------------------------------------------------------

say "Seeding the store with the Northwind customers"
store="$tmp/store.db"
timeout 120 "$admin" --store "$store" import-csv "$csv" --department sales
timeout 60 "$admin" --store "$store" link "Maria Anders" prpl-jabber \
	"customer@$domain" "customer@$domain"
timeout 60 "$admin" --store "$store" find "Maria Anders"

# Maria Anders' id, from chatcrm-admin find.
customer_id() {
	timeout 60 "$admin" --store "$store" find "Maria Anders" \
		| grep -oE '[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}' \
		| head -n 1 || true
}

# ---- clients -----------------------------------------------------------

# start_client NAME FD USER [crm-headless options...]: a headless client
# reading commands from file descriptor FD, printing to $tmp/NAME.out.
start_client() {
	local name=$1 fd=$2 user=$3
	shift 3
	mkfifo "$tmp/$name.in"
	"$client" --user-dir "$tmp/$name" --account "$user@$domain/$name" \
		--password "pw-$user" --server 127.0.0.1 --port "$port" "$@" \
		<"$tmp/$name.in" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	eval "exec $fd>\"\$tmp/\$name.in\""
}

# agent_options DEPARTMENT NAME: sets $agent, the options of an agent's
# client (the plugin and its prefs), as an array so nothing is split.
agent_options() {
	agent=(--plugin "$plugin"
		--pref "/plugins/core/chatcrm/store_path=$store"
		--pref "/plugins/core/chatcrm/department=$1"
		--pref "/plugins/core/chatcrm/agent_name=$2"
		--pref "/plugins/core/chatcrm/desktop_notify=false")
}

# ---- Finch in this terminal ------------------------------------------

if [ "$headless" -eq 0 ]; then
	finch_dir="$tmp/finch"
	mkdir -p "$finch_dir/plugins"
	ln -s "$plugin" "$finch_dir/plugins/chatcrm.so"
	cat >"$finch_dir/prefs.xml" <<EOF
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='finch'>
  <pref name='plugins'>
   <pref name='loaded' type='pathlist'>
    <item value='$finch_dir/plugins/chatcrm.so'/>
   </pref>
  </pref>
  <pref name='blist'>
   <pref name='showoffline' type='bool' value='1'/>
  </pref>
 </pref>
 <pref name='purple'>
  <pref name='network'>
   <pref name='stun_server' type='string' value='127.0.0.1'/>
   <pref name='auto_ip' type='bool' value='0'/>
   <pref name='map_ports' type='bool' value='0'/>
  </pref>
 </pref>
 <pref name='plugins'>
  <pref name='core'>
   <pref name='chatcrm'>
    <pref name='store_path' type='string' value='$store'/>
    <pref name='department' type='string' value='sales'/>
    <pref name='agent_name' type='string' value='Sam Sales'/>
   </pref>
  </pref>
 </pref>
</pref>
EOF
	cat >"$finch_dir/accounts.xml" <<EOF
<?xml version='1.0' encoding='UTF-8' ?>
<account version='1.0'>
 <account>
  <protocol>prpl-jabber</protocol>
  <name>sales@$domain/finch</name>
  <password>pw-sales</password>
  <settings>
   <setting name='connect_server' type='string'>127.0.0.1</setting>
   <setting name='port' type='int'>$port</setting>
   <setting name='connection_security' type='string'>opportunistic_tls</setting>
   <setting name='auth_plain_in_clear' type='bool'>1</setting>
  </settings>
  <settings ui='gnt-purple'>
   <setting name='auto-login' type='bool'>1</setting>
  </settings>
 </account>
</account>
EOF
	# (The STUN server given as an address keeps the XMPP plugin from
	# asking DNS for one: nothing leaves 127.0.0.1.)
	# The customer writes a little after Finch is up, then now and then.
	# The writer keeps fd 3 from its sleeps, so that when it is killed
	# the customer sees the end of its input at once.
	start_client customer 3 customer
	{
		say_customer() { echo "send sales@$domain $*"; }
		echo wait-signon
		sleep 6 >/dev/null 3>&-
		say_customer "Hello, this is Maria Anders from Alfreds Futterkiste."
		sleep 4 >/dev/null 3>&-
		say_customer "I have a question about last month's invoice."
		sleep 60 >/dev/null 3>&-
		say_customer "Any news about the refund?"
	} >&3 &
	writer_pid=$!
	cat <<EOF

Finch opens now, logged in as sales@$domain with the chatcrm plugin.
In a few seconds customer@$domain (Maria Anders) writes to you: the
conversation window opens behind the buddy list (Alt-n brings it to the
front) with her card in it.  Try in the conversation:
    /crm help
    /crm note Called about the invoice
    /crm followup in 2h call back about the refund
    /crm handover billing Needs a refund
Alt-q quits Finch; this script then stops the server and the customer.
EOF
	read -r -t 10 -p "Press Enter to start Finch (or wait 10 s) " _ || true
	finch -c "$finch_dir" || true
	say "The store after the session"
	"$admin" --store "$store" notes "$(customer_id)" || true
	"$admin" --store "$store" handovers || true
	exit 0
fi

# ---- headless: the story, checked ------------------------------------

say "Starting the agents (with the plugin) and the customer"
agent_options sales "Sam Sales"
start_client sales 3 sales "${agent[@]}"
agent_options support "Sue Support"
start_client support 4 support "${agent[@]}"
start_client customer 5 customer
failures=()
for name in sales support customer; do
	wait_for "$tmp/$name.out" "$name to sign on" '^SIGNED-ON ' \
		|| failures+=("$name did not sign on")
done
[ "${#failures[@]}" -eq 0 ] || die "${failures[*]}"

# step N FD NAME COMMAND: sends COMMAND to client NAME (on FD), waits until
# it ran, and leaves $from at the client's output before it, so that the
# checks that follow look only at what this step printed.
step() {
	local n=$1 fd=$2 name=$3
	shift 3
	echo "  $name: $*"
	from=$(wc -l <"$tmp/$name.out")
	printf '%s\nping step-%s\n' "$*" "$n" >&"$fd"
	wait_for "$tmp/$name.out" "step $n ($*)" "^PONG step-$n\$" \
		|| failures+=("step $n ($name: $*) did not run")
}

check() {
	local what=$1
	shift
	if ! wait_for "$@"; then
		failures+=("$what")
	fi
}

customer_conv='^CONV customer@crm\.test(/[^ ]*)? '
system_re="${customer_conv}[^ ]*system"
# An answer: a system line in the conversation, or the error text the
# command API returns (which Pidgin and Finch write into it).
answer_re="(${system_re}|^CMD customer@$domain (failed|wrong-args) [^-])"

step 1 5 customer "send sales@$domain Hello, this is Maria from Alfreds Futterkiste. I have a question about my last invoice."
from=0
check "the sales agent's conversation showed no card with Maria Anders and Alfreds Futterkiste" \
	"$tmp/sales.out" "the card" "$system_re" 'Maria Anders' 'Alfreds Futterkiste'

step 2 3 sales "cmd customer@$domain crm note Called about the invoice"
check "/crm note was not answered with \"Note added to Maria Anders.\"" \
	"$tmp/sales.out" "the answer to /crm note" "$system_re" \
	'Note added to Maria Anders'
step 3 3 sales "cmd customer@$domain crm followup in 2h call back about the refund"
check "/crm followup was not answered" "$tmp/sales.out" \
	"the answer to /crm followup" "$answer_re"
step 4 3 sales "cmd customer@$domain crm handover billing Needs a refund"
check "/crm handover was not answered" "$tmp/sales.out" \
	"the answer to /crm handover" "$answer_re"
step 5 5 customer "send sales@$domain Thank you!"
from=0
check "the sales agent did not get the customer's second message" \
	"$tmp/sales.out" "the second message" "${customer_conv}recv Thank you"

step 6 4 support "open customer@$domain"
check "the support agent's card showed no Maria Anders" "$tmp/support.out" \
	"the support agent's card" "$system_re" 'Maria Anders' \
	'Alfreds Futterkiste'
from=0

# Quit everyone: each flushes what it sent before it goes.
exec 3>&- 4>&- 5>&-
for pid in "${pids[@]}"; do
	timeout 20 tail --pid="$pid" -f /dev/null || failures+=("a client did not quit")
done
pids=()

# Shows a client's conversations: one block per message, system lines
# (cards, answers) marked, the \n of crm-headless turned back into lines.
show_conversations() {
	local name=$1
	say "What $name@$domain's conversations showed"
	{ grep -E '^(CONV|CMD|NOTIFY|REQUEST|CONNECTION-ERROR)' "$tmp/$name.out" \
		|| echo "CONV (nothing) none (nothing at all)"; } | python3 -c '
import sys
for line in sys.stdin:
    kind, _, rest = line.rstrip("\n").partition(" ")
    if kind != "CONV":
        print("  %s %s" % (kind, rest))
        continue
    conv, flags, text = (rest.split(" ", 2) + ["", ""])[:3]
    who = "system" if "system" in flags else ("in" if "recv" in flags
                                          else "out" if "send" in flags
                                          else flags)
    text = text.replace("\\\\", "\0").replace("\\n", "\n").replace("\0", "\\")
    head = "  [%s] %-6s " % (conv.split("/")[0], who)
    print(head + text.replace("\n", "\n" + " " * len(head)))
'
}
show_conversations sales
show_conversations support
show_conversations customer

say "The store afterwards (chatcrm-admin)"
customer_id=$(customer_id)
if [ -n "$customer_id" ]; then
	timeout 60 "$admin" --store "$store" notes "$customer_id" \
		| tee "$tmp/notes.txt" || failures+=("chatcrm-admin notes failed")
	grep -q 'Called about the invoice' "$tmp/notes.txt" \
		|| failures+=("the note is not in the store")
else
	failures+=("chatcrm-admin find did not print Maria Anders' id")
fi
timeout 60 "$admin" --store "$store" handovers | tee "$tmp/handovers.txt" \
	|| failures+=("chatcrm-admin handovers failed")
grep -q 'Needs a refund' "$tmp/handovers.txt" \
	|| failures+=("the handover is not in the store")

if [ "${#failures[@]}" -gt 0 ]; then
	printf '\nmain-job: FAILED:\n' >&2
	printf '  - %s\n' "${failures[@]}" >&2
	exit 1
fi
printf '\nmain-job: OK: card, note, follow-up and handover all shown and stored.\n'
