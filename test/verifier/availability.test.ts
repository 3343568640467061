/**
 * bpfemu's helper tables against 6.18's (goldens/helper-availability.json, recorded live by
 * `npm run verifier-goldens -- --availability`, see availability.ts): for every probed program type
 * and helper id, the emulated verifier must refuse with "program of this type cannot use helper"
 * exactly where the kernel does, or refuse as "not implemented" where the emulator lacks the
 * helper. Each remaining difference is listed with its reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELPER_TABLE } from '../../src/helpers/table.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { availabilityOf, kfuncAvailabilityOf, kfuncProbeCase, MAX_HELPER_ID, probeCase, TARGETS, UNPRIV_TARGETS, type AvailabilityGolden } from './availability.js';
import { emuVerify } from './emulator.js';

const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/helper-availability.json', import.meta.url), 'utf8')) as AvailabilityGolden;
const NAME = new Map(HELPER_TABLE.map((h) => [h.id, h.name]));

const TRACING = ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable'];
const LOCK_MAPS = 'bpfemu leaves the helper out where 6.18 refuses the maps that hold one (check_map_prog_compatibility: "tracing progs cannot use bpf_timer yet"), which bpfemu checks at map use for bpf_spin_lock only';
const WRITE_USER = "this kernel build refuses bpf_probe_write_user (CAP_SYS_ADMIN/lockdown in bpf_get_probe_write_proto); bpfemu offers it";
const FUNC_IP = '6.18 has a proto but refuses the call later (ENOTSUPP "func bpf_get_func_ip#173 not supported for program type N"); bpfemu refuses it as absent (EINVAL)';
const NOT_EMULATED = 'bpfemu implements the helper for other program types only';

/** `target:helper` -> why bpfemu differs. */
const KNOWN: Readonly<Record<string, string>> = {
  ...Object.fromEntries(TRACING.flatMap((t) => ['timer_init', 'timer_set_callback', 'timer_start', 'timer_cancel'].map((h) => [`${t}:${h}`, LOCK_MAPS]))),
  ...Object.fromEntries([...TRACING, 'tracing_tp_btf', 'tracing_iter', 'syscall'].map((t) => [`${t}:probe_write_user`, WRITE_USER])),
  ...Object.fromEntries(['tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'tracing_tp_btf', 'tracing_iter', 'syscall'].map((t) => [`${t}:get_func_ip`, FUNC_IP])),
  'xdp:xdp_adjust_meta': 'this kernel build (6.18.44-fc-v1300) refuses bpf_xdp_adjust_meta for XDP programs, also programs/xdp_adjust.bpf.o; the v769 build its kernel-diff golden came from ran it',
  'tracing_iter:get_attach_cookie': "bpfemu's table offers it to every tracing program; 6.18 leaves iterators out",
  'tracing_tp_btf:xdp_get_buff_len': NOT_EMULATED,
  'tracing_iter:xdp_get_buff_len': NOT_EMULATED,
  'syscall:xdp_get_buff_len': NOT_EMULATED,
  'syscall:sk_storage_get': '6.18 has a proto but refuses the call later ("helper call is not allowed in probe", EINVAL); bpfemu refuses it as absent (EINVAL)',
  'syscall:sk_storage_delete': '6.18 has a proto but refuses the call later ("helper call is not allowed in probe", EINVAL); bpfemu refuses it as absent (EINVAL)',
  'kprobe:override_return': 'this kernel build lacks CONFIG_BPF_KPROBE_OVERRIDE, so 6.18 offers no bpf_override_return; bpfemu emulates a kernel with it (recorded, README "Helpers")',
  'sched_cls:sk_assign': 'bpfemu implements bpf_sk_assign for sk_lookup programs only; the tc flavour is not emulated',
  'sched_act:sk_assign': 'bpfemu implements bpf_sk_assign for sk_lookup programs only; the tc flavour is not emulated',
  'sock_ops:setsockopt': NOT_EMULATED,
  'sock_ops:getsockopt': NOT_EMULATED,
  'cgroup_sock_addr:setsockopt': NOT_EMULATED,
  'cgroup_sock_addr:getsockopt': NOT_EMULATED,
};

describe('helper availability per program type: bpfemu against 6.18', () => {
  let agree = 0;
  let unimplemented = 0;
  let total = 0;
  for (const t of [...TARGETS, ...UNPRIV_TARGETS]) {
    it(`${t.name}`, () => {
      const has = new Set(GOLDEN.targets[t.name]);
      expect(GOLDEN.targets[t.name], `no golden for ${t.name}`).toBeDefined();
      const problems: string[] = [];
      for (let id = 1; id <= MAX_HELPER_ID; id++) {
        const a = availabilityOf(emuVerify(probeCase(t, id)));
        const key = `${t.name}:${NAME.get(id) ?? id}`;
        total++;
        if (a === 'unimplemented') {
          if (has.has(id)) unimplemented++;
          else agree++;
          continue;
        }
        const same = (a === 'has') === has.has(id);
        if (same) agree++;
        if (KNOWN[key] !== undefined) {
          if (same) problems.push(`${key}: listed as a known difference but now agrees`);
        } else if (!same) problems.push(`${key}: 6.18 ${has.has(id) ? 'has' : 'lacks'} it, bpfemu ${a === 'has' ? 'has' : 'lacks'} it`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
    }, 120_000);
  }
  it('summary', () => {
    console.log(`helper availability: ${total} (type, helper) pairs, ${agree} agree, ${unimplemented} helpers 6.18 has that bpfemu does not implement, ${total - agree - unimplemented} listed differences`);
    expect(total).toBe((TARGETS.length + UNPRIV_TARGETS.length) * MAX_HELPER_ID);
  });
});

/** `target:kfunc` -> why bpfemu differs. */
const SKB_HOOK = "6.18 registers the skb set for the cgroup and tracing hooks, which these types share with cgroup_skb and tp_btf; bpfemu offers bpf_dynptr_from_skb only to program types whose ctx is an __sk_buff";
const KNOWN_KFUNCS: Readonly<Record<string, string>> = Object.fromEntries(
  ['tracepoint', 'perf_event', 'cgroup_sock', 'sock_ops', 'cgroup_device', 'cgroup_sock_addr', 'cgroup_sysctl', 'cgroup_sockopt', 'tracing_tp_btf', 'tracing_iter'].map((t) => [`${t}:bpf_dynptr_from_skb`, SKB_HOOK]),
);

describe('kfunc availability per program type: bpfemu against 6.18', () => {
  const k = new Kernel({ nrCpus: 2 });
  for (const t of TARGETS) {
    it(`${t.name}`, () => {
      const has = new Set(GOLDEN.kfuncs[t.name]);
      const problems: string[] = [];
      for (const name of GOLDEN.kfuncNames) {
        const id = k.kfuncs.get(name)?.btfId;
        if (id === undefined) {
          problems.push(`${name}: no longer registered by the emulated kernel (re-record the golden)`);
          continue;
        }
        const a = kfuncAvailabilityOf(emuVerify(kfuncProbeCase(t, name, id)));
        const key = `${t.name}:${name}`;
        const same = (a === 'has') === has.has(name);
        if (KNOWN_KFUNCS[key] !== undefined) {
          if (same) problems.push(`${key}: listed as a known difference but now agrees`);
        } else if (!same) problems.push(`${key}: 6.18 ${has.has(name) ? 'has' : 'lacks'} it, bpfemu ${a === 'has' ? 'has' : 'lacks'} it`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
    }, 120_000);
  }
});
