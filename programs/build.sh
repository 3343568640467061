#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Rebuild the committed BPF fixtures with a pinned compiler and pinned flags.
#
#   programs/build.sh           rebuild every *.bpf.o here, rewrite SHA256SUMS
#   programs/build.sh --check   rebuild into a temp dir, compare byte for byte
#                               with the committed objects; exit 1 and name
#                               every object that differs or is missing
#
# Toolchain the committed bytes were produced with (Debian 12 "bookworm",
# x86_64): clang-19 1:19.1.7-3~deb12u1, libbpf-dev 1:1.1.2-0+deb12u1 (its
# headers are compiled in), linux-libc-dev 6.1.x (uapi headers). The clang
# version string and the header paths end up in DWARF, so a different clang
# build, libbpf-dev or multiarch directory changes the bytes even when the
# code is identical. We refuse anything but clang 19.1.x and warn when the
# exact version differs from the pinned one.
#
# Builds run from this directory with -ffile-prefix-map=$PWD=. so that the
# checkout location never appears in the objects.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

CLANG=${CLANG:-clang-19}
PINNED_CLANG='Debian clang version 19.1.7 (3~deb12u1)'

# One line per object. Columns:
#   object   output name (without .bpf.o)
#   source   the C file
#   target   bpf (little endian) or bpfeb (big endian)
#   cpu      -mcpu value
#   extra    further flags, or "-" for none
# Common flags for every line: -O2 -g -Wall -Werror -Iinclude
#   -I/usr/include/<multiarch> -ffile-prefix-map=$PWD=.
FIXTURES='
xdp_maps                      xdp_maps.bpf.c                      bpf    v3  -
globals                       globals.bpf.c                       bpf    v3  -
subprogs                      subprogs.bpf.c                      bpf    v3  -
subprogs_be                   subprogs.bpf.c                      bpfeb  v3  -
loop                          loop.bpf.c                          bpf    v3  -
tailcall                      tailcall.bpf.c                      bpf    v3  -
map_in_map                    map_in_map.bpf.c                    bpf    v3  -
atomics                       atomics.bpf.c                       bpf    v3  -
isa_v4                        isa_v4.bpf.c                        bpf    v4  -
externs                       externs.bpf.c                       bpf    v3  -
externs_percpu                externs_percpu.bpf.c                bpf    v3  -
core                          core.bpf.c                          bpf    v3  -
core_btf                      core_btf.bpf.c                      bpf    v3  -
struct_ops                    struct_ops.bpf.c                    bpf    v3  -
legacy_maps                   legacy_maps.bpf.c                   bpf    v3  -
maps_hash                     maps_hash.bpf.c                     bpf    v3  -
maps_queue_stack              maps_queue_stack.bpf.c              bpf    v3  -
maps_lpm                      maps_lpm.bpf.c                      bpf    v3  -
maps_bloom                    maps_bloom.bpf.c                    bpf    v3  -
maps_ringbuf                  maps_ringbuf.bpf.c                  bpf    v3  -
maps_perf                     maps_perf.bpf.c                     bpf    v3  -
maps_for_each                 maps_for_each.bpf.c                 bpf    v3  -
maps_local_storage            maps_local_storage.bpf.c            bpf    v3  -
maps_cgroup_storage           maps_cgroup_storage.bpf.c           bpf    v3  -
maps_cgroup_array             maps_cgroup_array.bpf.c             bpf    v3  -
maps_user_ringbuf             maps_user_ringbuf.bpf.c             bpf    v3  -
helpers_misc                  helpers_misc.bpf.c                  bpf    v3  -
helpers_print                 helpers_print.bpf.c                 bpf    v3  -
helpers_probe                 helpers_probe.bpf.c                 bpf    v3  -
spin_lock                     spin_lock.bpf.c                     bpf    v3  -
timer                         timer.bpf.c                         bpf    v3  -
xdp_adjust                    xdp_adjust.bpf.c                    bpf    v3  -
xdp_redirect                  xdp_redirect.bpf.c                  bpf    v3  -
tc_csum                       tc_csum.bpf.c                       bpf    v3  -
xdp_ctx                       xdp_ctx.bpf.c                       bpf    v3  -
xdp_devmap_ctx                xdp_devmap_ctx.bpf.c                bpf    v3  -
tc_ctx                        tc_ctx.bpf.c                        bpf    v3  -
socket_filter                 socket_filter.bpf.c                 bpf    v3  -
cgroup_skb                    cgroup_skb.bpf.c                    bpf    v3  -
syscall_ctx                   syscall_ctx.bpf.c                   bpf    v3  -
arena_list                    arena_list.bpf.c                    bpf    v3  -
arena_arg                     arena_arg.bpf.c                     bpf    v3  -
arena_fixed                   arena_fixed.bpf.c                   bpf    v3  -
tracing                       tracing.bpf.c                       bpf    v3  -D__TARGET_ARCH_x86
tracing_btf                   tracing_btf.bpf.c                   bpf    v3  -
tracing_trampoline            tracing_trampoline.bpf.c            bpf    v3  -
xdp_firewall                  xdp_firewall.bpf.c                  bpf    v3  -
struct_ops_assoc              struct_ops_assoc.bpf.c              bpf    v3  -
struct_ops_assoc_reuse        struct_ops_assoc_reuse.bpf.c        bpf    v3  -
struct_ops_assoc_in_timer     struct_ops_assoc_in_timer.bpf.c     bpf    v3  -
struct_ops_assoc_implicit     struct_ops_assoc_implicit.bpf.c     bpf    v3  -
struct_ops_assoc_direct       struct_ops_assoc_direct.bpf.c       bpf    v3  -
struct_ops_assoc_direct_void  struct_ops_assoc_direct_void.bpf.c  bpf    v3  -
struct_ops_demo               struct_ops_demo.bpf.c               bpf    v3  -
struct_ops_id                 struct_ops_id.bpf.c                 bpf    v3  -
bench_checksum                bench_checksum.bpf.c                bpf    v3  -
bench_loop                    bench_loop.bpf.c                    bpf    v3  -
bench_calls                   bench_calls.bpf.c                   bpf    v3  -
bench_tailcall                bench_tailcall.bpf.c                bpf    v3  -
bench_lpm                     bench_lpm.bpf.c                     bpf    v3  -
verifier_xdp_parse            verifier_xdp_parse.bpf.c            bpf    v3  -
verifier_maps                 verifier_maps.bpf.c                 bpf    v3  -
verifier_calls                verifier_calls.bpf.c                bpf    v3  -
verifier_spin_lock            verifier_spin_lock.bpf.c            bpf    v3  -
verifier_iter                 verifier_iter.bpf.c                 bpf    v3  -
scx_fifo                      scx_fifo.bpf.c                      bpf    v3  -
scx_vtime                     scx_vtime.bpf.c                     bpf    v3  -
scx_stall                     scx_stall.bpf.c                     bpf    v3  -
scx_rules                     scx_rules.bpf.c                     bpf    v3  -
scx_bad_write                 scx_bad_write.bpf.c                 bpf    v3  -
scx_pinned                    scx_pinned.bpf.c                    bpf    v3  -
scx_central                   scx_central.bpf.c                   bpf    v3  -
scx_idle                      scx_idle.bpf.c                      bpf    v3  -
scx_tick                      scx_tick.bpf.c                      bpf    v3  -
scx_preempt                   scx_preempt.bpf.c                   bpf    v3  -
scx_lifecycle                 scx_lifecycle.bpf.c                 bpf    v3  -
scx_prio                      scx_prio.bpf.c                      bpf    v3  -
scx_cpumask                   scx_cpumask.bpf.c                   bpf    v3  -
scx_move                      scx_move.bpf.c                      bpf    v3  -
scx_taskctx                   scx_taskctx.bpf.c                   bpf    v3  -
scx_events                    scx_events.bpf.c                    bpf    v3  -
scx_style                     scx_style.bpf.c                     bpf    v3  -
scx_enums                     scx_enums.bpf.c                     bpf    v3  -
scx_release                   scx_release.bpf.c                   bpf    v3  -
libbpf_parity                 libbpf_parity.bpf.c                 bpf    v3  -
core_ctx                      core_ctx.bpf.c                      bpf    v3  -
tcp_cc_reno                   tcp_cc_reno.bpf.c                   bpf    v3  -
tcp_cc_cubic                  tcp_cc_cubic.bpf.c                  bpf    v3  -
tcp_cc_bad_write              tcp_cc_bad_write.bpf.c              bpf    v3  -
tcp_cc_dctcp                  tcp_cc_dctcp.bpf.c                  bpf    v3  -
tcp_cc_fixed                  tcp_cc_fixed.bpf.c                  bpf    v3  -
tcp_cc_get_info               tcp_cc_get_info.bpf.c               bpf    v3  -
tcp_cc_kernel_clock           tcp_cc_kernel_clock.bpf.c           bpf    v3  -
tcp_cc_kernel_storage         tcp_cc_kernel_storage.bpf.c         bpf    v3  -
tcp_cc_kernel_cubic           tcp_cc_kernel_cubic.bpf.c           bpf    v3  -
tcp_cc_kernel_dctcp           tcp_cc_kernel_dctcp.bpf.c           bpf    v3  -
kernel_structs                kernel_structs.bpf.c                bpf    v3  -
d_path                        d_path.bpf.c                        bpf    v3  -
override_return               override_return.bpf.c               bpf    v3  -
sk_assign                     sk_assign.bpf.c                     bpf    v3  -
cgroup_skb_verdict            cgroup_skb_verdict.bpf.c            bpf    v3  -
sock_addr                     sock_addr.bpf.c                     bpf    v3  -
sock_ops                      sock_ops.bpf.c                      bpf    v3  -
sockops_sockmap               sockops_sockmap.bpf.c               bpf    v3  -
cgroup_misc                   cgroup_misc.bpf.c                   bpf    v3  -
sk_lookup                     sk_lookup.bpf.c                     bpf    v3  -
sk_reuseport_select           sk_reuseport_select.bpf.c           bpf    v3  -
sysctl_helpers                sysctl_helpers.bpf.c                bpf    v3  -
netfilter                     netfilter.bpf.c                     bpf    v3  -
tracing_helpers               tracing_helpers.bpf.c               bpf    v3  -
lwt                           lwt.bpf.c                           bpf    v3  -
sk_msg                        sk_msg.bpf.c                        bpf    v3  -
sock_lookup                   sock_lookup.bpf.c                   bpf    v3  -
fib_lookup                    fib_lookup.bpf.c                    bpf    v3  -
tcp_cc_kernel_sockopt         tcp_cc_kernel_sockopt.bpf.c         bpf    v3  -
tcp_cc_kernel_helpers         tcp_cc_kernel_helpers.bpf.c         bpf    v3  -
tcp_cc_kernel_helpers_get     tcp_cc_kernel_helpers.bpf.c         bpf    v3  -DRELEASE_GETSOCKOPT
tcp_cc_kernel_helpers_ack     tcp_cc_kernel_helpers.bpf.c         bpf    v3  -DRELEASE_SEND_ACK
tcp_cc_kernel_helpers_coarse  tcp_cc_kernel_helpers.bpf.c         bpf    v3  -DCOARSE_NS
skb_room                      skb_room.bpf.c                      bpf    v3  -
syncookie                     syncookie.bpf.c                     bpf    v3  -
dynptr                        dynptr.bpf.c                        bpf    v3  -
verifier_dynptr               verifier_dynptr.bpf.c               bpf    v3  -
verifier_rcu                  verifier_rcu.bpf.c                  bpf    v3  -
verifier_kfunc                verifier_kfunc.bpf.c                bpf    v3  -
verifier_kfargs               verifier_kfargs.bpf.c               bpf    v3  -
verifier_argarena             verifier_argarena.bpf.c             bpf    v3  -
verifier_progtype             verifier_progtype.bpf.c             bpf    v3  -
verifier_global               verifier_global.bpf.c               bpf    v3  -
verifier_cbdynptr             verifier_cbdynptr.bpf.c             bpf    v3  -
throw                         throw.bpf.c                         bpf    v3  -
reslock                       reslock.bpf.c                       bpf    v3  -
iters_kern                    iters_kern.bpf.c                    bpf    v3  -
verifier_preempt              verifier_preempt.bpf.c              bpf    v3  -
user_str                      user_str.bpf.c                      bpf    v3  -
verifier_userstr              verifier_userstr.bpf.c              bpf    v3  -
rdonly_cast                   rdonly_cast.bpf.c                   bpf    v3  -
verifier_rdonly               verifier_rdonly.bpf.c               bpf    v3  -
verifier_findvma              verifier_findvma.bpf.c              bpf    v3  -
find_vma                      find_vma.bpf.c                      bpf    v3  -
crash_kexec                   crash_kexec.bpf.c                   bpf    v3  -
'

die() { echo "build.sh: $*" >&2; exit 1; }

command -v "$CLANG" >/dev/null 2>&1 || die "$CLANG not found (apt-get install clang-19)"
clang_version=$("$CLANG" --version | head -n1)
case "$clang_version" in
*"clang version 19.1."*) ;;
*) die "refusing to build with '$clang_version': the fixtures are pinned to clang 19.1.x" ;;
esac
if [ "$clang_version" != "$PINNED_CLANG" ]; then
	echo "build.sh: warning: '$clang_version' is not the pinned '$PINNED_CLANG';" \
		"objects may differ (the version string is embedded in DWARF)" >&2
fi

# -target bpf does not search the multiarch include dir (asm/types.h).
multiarch=
if command -v gcc >/dev/null 2>&1; then
	multiarch=$(gcc -print-multiarch 2>/dev/null || true)
fi
if [ -z "$multiarch" ]; then
	for d in /usr/include/"$(uname -m)"-linux-*; do
		[ -f "$d/asm/types.h" ] && multiarch=${d#/usr/include/} && break
	done
fi
[ -n "$multiarch" ] && [ -f "/usr/include/$multiarch/asm/types.h" ] ||
	die "cannot find /usr/include/<multiarch>/asm/types.h (apt-get install linux-libc-dev)"
[ -f /usr/include/bpf/bpf_helpers.h ] || die "missing <bpf/bpf_helpers.h> (apt-get install libbpf-dev)"

# build_one OBJECT SOURCE TARGET CPU EXTRA OUTDIR
build_one() {
	local obj=$1 src=$2 target=$3 cpu=$4 extra=$5 out=$6
	local -a flags=(-O2 -g -Wall -Werror -target "$target" -mcpu="$cpu"
		-Iinclude "-I/usr/include/$multiarch" "-ffile-prefix-map=$PWD=.")
	if [ "$extra" != "-" ]; then
		# shellcheck disable=SC2206 # extra is a whitespace-separated flag list
		flags+=($extra)
	fi
	"$CLANG" "${flags[@]}" -c "$src" -o "$out/$obj.bpf.o"
}

# Every *.bpf.c must be built by some line, and every line's source must exist. (Here-strings, not
# `echo | grep -q`: under pipefail, grep -q quitting early can kill echo with SIGPIPE and fail the test.)
table_sources=$(awk 'NF { print $2 }' <<<"$FIXTURES" | sort -u)
for src in *.bpf.c; do
	grep -qx -- "$src" <<<"$table_sources" || die "$src is not in the FIXTURES table"
done

check=0
case "${1-}" in
"") ;;
--check) check=1 ;;
*) die "usage: $0 [--check]" ;;
esac

if [ "$check" = 1 ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	outdir=$tmp
else
	outdir=.
fi

failed=()
while read -r obj src target cpu extra; do
	[ -n "$obj" ] || continue
	[ -f "$src" ] || die "$obj: source $src does not exist"
	if ! build_one "$obj" "$src" "$target" "$cpu" "$extra" "$outdir"; then
		failed+=("$obj.bpf.o (compile error)")
	fi
done <<<"$FIXTURES"

if [ "$check" = 1 ]; then
	while read -r obj _; do
		[ -n "$obj" ] || continue
		[ -f "$tmp/$obj.bpf.o" ] || continue
		if [ ! -f "$obj.bpf.o" ]; then
			failed+=("$obj.bpf.o (not committed)")
		elif ! cmp -s "$tmp/$obj.bpf.o" "$obj.bpf.o"; then
			failed+=("$obj.bpf.o (differs)")
		fi
	done <<<"$FIXTURES"
	table_objects=$(awk 'NF { print $1 ".bpf.o" }' <<<"$FIXTURES")
	for o in *.bpf.o; do
		grep -qx -- "$o" <<<"$table_objects" ||
			failed+=("$o (not in the FIXTURES table)")
	done
	if ! sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; then
		failed+=("SHA256SUMS (stale: run programs/build.sh)")
	fi
	if [ "${#failed[@]}" -ne 0 ]; then
		echo "build.sh --check: rebuilt fixtures do not match the committed ones:" >&2
		printf '  %s\n' "${failed[@]}" >&2
		echo "(toolchain: $clang_version, multiarch $multiarch)" >&2
		exit 1
	fi
	echo "build.sh --check: $(echo "$FIXTURES" | awk 'NF' | wc -l) objects reproduce byte for byte"
	exit 0
fi

[ "${#failed[@]}" -eq 0 ] || { printf '  %s\n' "${failed[@]}" >&2; die "build failed"; }

# SHA256SUMS: every source, header and object, sorted, in sha256sum format.
{
	printf '%s\n' *.bpf.c include/*.h *.bpf.o | LC_ALL=C sort | xargs sha256sum
} >SHA256SUMS.tmp
mv SHA256SUMS.tmp SHA256SUMS
echo "build.sh: built $(echo "$FIXTURES" | awk 'NF' | wc -l) objects, wrote SHA256SUMS"
