#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Load the committed fixtures into the running kernel and test-run the packet
# programs with bpftool, comparing verdicts with the expected ones below.
# Needs root (CAP_BPF + CAP_SYS_ADMIN), bpftool and a kernel like the 6.18
# one the table was recorded on. Not part of CI; the emulator's differential
# tests are the real consumers of these numbers.
#
#   programs/kernel-check.sh            load + run everything listed below
#
# Each object is loaded with `bpftool prog loadall OBJ DIR pinmaps DIR2` on a
# bpffs mounted in a temporary directory (maps are pinned so that prog-array
# entries survive bpftool's exit), then unpinned again. Syscall and raw_tp
# programs cannot be run by bpftool 7.1 (it always passes repeat = 1, which
# those program types refuse with EINVAL); their expected results are in
# README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

[ "$(id -u)" = 0 ] || { echo "kernel-check.sh: needs root" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "kernel-check.sh: needs bpftool" >&2; exit 1; }

# No dots in the path: libbpf turns every '.' of a map pin path into '_'.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfemu-kcheck-XXXXXX")
fs=$tmp/bpffs
mkdir "$fs"
mount -t bpf bpf "$fs"
cleanup() {
	umount "$fs" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# Sample frames (hex), built as described in README.md "Sample frames".
declare -A FRAME=(
	[v4_tcp80]=02000000000202000000000108004500002d00010000400666c80a0000010a00000204d2005000000001000000005002200032e6000068656c6c6f00
	[v4_tcp22]=02000000000202000000000108004500002d00010000400666c80a0000010a00000204d200160000000100000000500220003320000068656c6c6f00
	[v4_udp]=02000000000202000000000108004500002100010000401166c90a0000010a00000214e90035000d86cb717565727900000000000000000000000000
	[v4_icmp]=02000000000202000000000108004500002000010000400166da0a0000010a0000020800192d0001000170696e670000000000000000000000000000
	[v4_blocked]=02000000000202000000000108004500001c000100004011aee4c0a801420a00000200010002000833ef000000000000000000000000000000000000
	[v6_udp]=02000000000202000000000186dd600000000008114000000000000000000000000000000001000000000000000000000000000000020001000200080000
	[arp]=020000000002020000000001080600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
)
for name in "${!FRAME[@]}"; do
	# shellcheck disable=SC2059 # the format is the \xNN-escaped frame
	printf "$(echo "${FRAME[$name]}" | sed 's/../\\x&/g')" >"$tmp/$name.bin"
done

# Objects the 6.18 test kernel cannot load (reason in README.md).
NOT_LOADABLE='externs_percpu legacy_maps struct_ops struct_ops_assoc struct_ops_assoc_direct
struct_ops_assoc_direct_void struct_ops_assoc_implicit struct_ops_assoc_in_timer
struct_ops_assoc_reuse struct_ops_demo struct_ops_id subprogs_be tracing_trampoline
verifier_calls verifier_maps verifier_spin_lock verifier_xdp_parse'

# object  program  frame  expected retval  (runs in order, same load)
RUNS='
xdp_maps        xdp_count      v4_tcp80    2
xdp_maps        xdp_count      v6_udp      1
xdp_maps        xdp_count      arp         2
globals         xdp_globals    v4_tcp80    2
globals         xdp_globals    v6_udp      1
subprogs        tc_prog        v4_tcp80    0
subprogs        sock_prog      v4_tcp80    46
tailcall        xdp_entry      v4_tcp80    3
map_in_map      mim_prog       v4_tcp80    2
atomics         atomics_prog   v4_tcp80    0
maps_lpm        lpm_ops        v4_tcp80    2
maps_bloom      bloom_ops      v4_tcp80    2
maps_perf       perf_prog      v4_tcp80    2
helpers_misc    misc_prog      v4_tcp80    0
helpers_print   print_prog     v4_tcp80    0
spin_lock       lock_prog      v4_tcp80    0
xdp_adjust      xdp_encap      v4_tcp80    3
xdp_adjust      xdp_decap      v4_tcp80    2
xdp_adjust      xdp_trim       v4_tcp80    2
xdp_adjust      xdp_grow       v4_tcp80    2
xdp_adjust      xdp_meta       v4_tcp80    2
xdp_redirect    redirect_ifindex v4_tcp80  4
xdp_redirect    redirect_bad   v4_tcp80    0
xdp_redirect    redirect_dev   v4_tcp80    2
xdp_redirect    redirect_cpu   v4_tcp80    1
xdp_redirect    redirect_xsk   v4_tcp80    2
tc_csum         csum_rewrite   v4_tcp80    0
xdp_ctx         xdp_ctx_prog   v4_tcp80    2
tc_ctx          tc_ctx_prog    v4_tcp80    0
socket_filter   sock_filter    v4_tcp80    46
socket_filter   sock_filter    v4_udp      0
socket_filter   sock_oob       v4_udp      0
cgroup_skb      ingress_prog   v4_tcp80    1
cgroup_skb      ingress_prog   v4_blocked  0
cgroup_skb      egress_prog    v4_udp      0
cgroup_skb      egress_prog    v4_tcp80    1
bench_checksum  xdp_csum       v4_tcp80    2
bench_calls     xdp_calls      v4_tcp80    2
bench_tailcall  stage_0        v4_tcp80    2
bench_lpm       lpm_populate   v4_tcp80    2
bench_lpm       lpm_lookup     v4_tcp80    2
xdp_firewall    xdp_firewall   v4_tcp80    2
xdp_firewall    xdp_firewall   v4_tcp22    1
xdp_firewall    xdp_firewall   v4_udp      2
xdp_firewall    xdp_firewall   v4_icmp     2
xdp_firewall    xdp_firewall   v4_blocked  1
xdp_firewall    xdp_firewall   v6_udp      2
xdp_firewall    xdp_firewall   arp         2
'

fail=0
loaded=

load() {
	local obj=$1
	rm -rf "${fs:?}/p" "${fs:?}/m"
	mkdir "$fs/p" "$fs/m"
	if bpftool prog loadall "$obj.bpf.o" "$fs/p" pinmaps "$fs/m" >"$tmp/log" 2>&1; then
		loaded=$obj
		return 0
	fi
	loaded=
	return 1
}

for o in *.bpf.o; do
	obj=${o%.bpf.o}
	if echo "$NOT_LOADABLE" | tr ' ' '\n' | grep -qx "$obj"; then
		if load "$obj"; then
			echo "UNEXPECTED $obj loads (listed as not loadable)"
		else
			echo "skip      $obj (not loadable here, as expected)"
		fi
		continue
	fi
	if load "$obj"; then
		echo "loaded    $obj: $(ls "$fs/p" | tr '\n' ' ')"
	else
		echo "FAILED    $obj"
		sed 's/^/    /' "$tmp/log" | tail -5
		fail=1
	fi
done

# Runs; an object is reloaded when the object changes (fresh maps), and the
# firewall gets 192.168.1.66 in its blocklist before its runs.
while read -r obj prog frame want; do
	[ -n "$obj" ] || continue
	if [ "$loaded" != "$obj" ]; then
		load "$obj" || { echo "FAILED    $obj"; fail=1; continue; }
		if [ "$obj" = xdp_firewall ]; then
			bpftool map update pinned "$fs/m/blocklist" key 192 168 1 66 value 0 0 0 0 0 0 0 0
		fi
	fi
	got=$(bpftool prog run pinned "$fs/p/$prog" data_in "$tmp/$frame.bin" \
		data_out "$tmp/out.bin" repeat 1 2>&1 | sed -n 's/^Return value: \([0-9]*\).*/\1/p')
	if [ "$got" = "$want" ]; then
		echo "ok        $obj/$prog $frame -> $got"
	else
		echo "MISMATCH  $obj/$prog $frame -> '$got', expected $want"
		fail=1
	fi
done <<<"$RUNS"

rm -rf "${fs:?}/p" "${fs:?}/m"
exit "$fail"
