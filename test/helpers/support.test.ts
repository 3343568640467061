/** The generated helper support table. */
import { describe, expect, it } from 'vitest';
import { builtinHelpers } from '../../src/helpers/index.js';
import { helperSupportMarkdown, helperSupportTable } from '../../src/helpers/support.js';

describe('helper support table', () => {
  it('lists ids 1..211 and marks exactly the built-in helpers as implemented', () => {
    const rows = helperSupportTable();
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 211 }, (_, i) => i + 1));
    const implemented = new Set(builtinHelpers().map((d) => d.id));
    for (const r of rows) expect(r.implemented, r.name).toBe(implemented.has(r.id));
    expect(rows.find((r) => r.id === 1)).toMatchObject({ name: 'bpf_map_lookup_elem', implemented: true, family: 'maps', progTypes: null });
    expect(rows.find((r) => r.id === 160)).toMatchObject({ family: 'time' });
    expect(rows.find((r) => r.id === 160)?.progTypes).toContain('xdp');
    expect(rows.find((r) => r.id === 169)).toMatchObject({ gplOnly: true, family: 'timers' });
    expect(rows.find((r) => r.id === 73)).toMatchObject({ name: 'bpf_lwt_push_encap', implemented: false, family: null });
  });

  it('the minimum set of the issue is implemented', () => {
    const ids = new Set(builtinHelpers().map((d) => d.id));
    // map ops, for_each, tail_call, clocks, prandom, cpu, task, printk, snprintf, probe_read*,
    // perf output, ringbuf, spin locks, loop, strncmp, timers
    for (const id of [1, 2, 3, 87, 88, 89, 164, 12, 5, 125, 160, 118, 7, 8, 14, 15, 16, 35, 158, 6, 177, 165, 4, 45, 112, 113, 114, 115, 25, 130, 131, 132, 133, 134, 93, 94, 181, 182, 169, 170, 171, 172]) {
      expect(ids.has(id), `helper ${id}`).toBe(true);
    }
  });

  it('renders Markdown with a count line and one row per implemented helper', () => {
    const md = helperSupportMarkdown();
    const n = builtinHelpers().length;
    expect(md.startsWith(`${n} of 211 helpers implemented.`)).toBe(true);
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(n);
    expect(md).toContain('| 169 | `bpf_timer_init` | timers | yes | all but kprobe, tracepoint, perf_event, raw_tracepoint, raw_tracepoint_writable |');
  });

  it('names attach-type limits by what they mean for the program type', () => {
    const md = helperSupportMarkdown();
    // struct_ops: expected_attach_type is a member index (tcp_congestion_ops members before release)
    expect(md).toMatch(/\| 49 \| `bpf_setsockopt` \|[^\n]*struct_ops \(members 0-\d+ only\) \|/);
    expect(md).not.toMatch(/\| 49 \|[^\n]*cgroup_inet_ingress/);
    // kprobe: 0 is the plain kprobe, not BPF_CGROUP_INET_INGRESS
    expect(md).toMatch(/\| 173 \| `bpf_get_func_ip` \|[^\n]*\(kprobe, trace_fentry, /);
  });
});
