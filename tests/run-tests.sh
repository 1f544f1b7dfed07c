#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh: installs the dependencies, builds and runs the test suites.
#
#   bash tests/run-tests.sh [--sanitize | --sanitize-only] [--no-deps] [DIR]
#
# DIR is the build directory (default build/).  With --sanitize a second
# build in DIR-sanitize, with AddressSanitizer and UndefinedBehaviorSanitizer,
# runs the same suites after the plain one; --sanitize-only runs just that.
# The default test setup leaves out the 'failing', 'flaky' and 'slow'
# suites.  Exits non-zero when a build or a test failed; the results are in
# DIR/meson-logs/testlog.json.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
plain=1
sanitize=0
deps=1
build=

for arg in "$@"; do
	case "$arg" in
	--sanitize) sanitize=1 ;;
	--sanitize-only) sanitize=1 plain=0 ;;
	--no-deps) deps=0 ;;
	-h | --help)
		sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "run-tests: unknown option $arg" >&2
		exit 2
		;;
	*) build=$arg ;;
	esac
done
build=${build:-$top/build}

if [ "$deps" -eq 1 ]; then
	bash "$here/install-deps.sh"
fi

# build_and_test DIR [meson setup options...]
build_and_test() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$top" "$@"
	fi
	ninja -C "$dir"
	meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)" \
		--timeout-multiplier "${CRM_TEST_TIMEOUT_SCALE:-1}"
}

status=0
if [ "$plain" -eq 1 ]; then
	echo "== run-tests: $build"
	build_and_test "$build" || status=1
fi

if [ "$sanitize" -eq 1 ]; then
	echo "== run-tests: $build-sanitize (address, undefined)"
	# Leaks: libpurple and GLib keep a lot until exit; their known ones
	# are in lsan.supp, ours are reported.
	# The slow unwinder, so that suppressions by function name match in
	# libraries built without frame pointers.
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
	# Everything runs slower under the sanitizers.
	export CRM_TEST_TIMEOUT_SCALE=${CRM_TEST_TIMEOUT_SCALE:-3}
	build_and_test "$build-sanitize" -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug || status=1
fi
exit "$status"
