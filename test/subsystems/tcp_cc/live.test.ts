/**
 * Live checks of the tcp_cc goldens against this machine's kernel (each skips visibly without its
 * input): the recorded 6.18 layouts against /sys/kernel/btf/vmlinux, and, as root with bpftool,
 * the fixtures (reno, cubic, dctcp, fixed) registering on the running kernel (and tcp_cc_bad_write refused with the recorded
 * log line).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Btf } from '../../../src/btf/btf.js';
import { parseBtf } from '../../../src/btf/parse.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const hasVmlinux = existsSync(VMLINUX);
const isRoot = process.getuid?.() === 0;
const hasBpftool = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0;
const live = isRoot && hasBpftool && readFileSync('/proc/version', 'utf8').includes('6.18');
const why = !isRoot ? 'not root' : !hasBpftool ? 'no bpftool' : 'not a 6.18 kernel';

const layout = JSON.parse(readFileSync('test/subsystems/tcp_cc/goldens/vmlinux-6.18-layout.json', 'utf8')) as Record<string, Record<string, unknown>>;
const golden = JSON.parse(readFileSync('test/subsystems/tcp_cc/goldens/registration-6.18.json', 'utf8')) as { load: Record<string, { log: string }> };

/** Byte offset and size of a dotted C member path, looking through anonymous members as C does. */
function memberOf(btf: Btf, typeId: number, path: string): { off: number; size: number } | undefined {
  const [head, ...rest] = path.split('.');
  const search = (id: number, base: number): { off: number; type: number } | undefined => {
    for (const m of btf.members(id)) {
      if (m.name === head) return { off: base + m.byteOffset, type: m.type };
      if (m.name === '') {
        const t = btf.resolved(m.type);
        if (t.kind === 'STRUCT' || t.kind === 'UNION') {
          const hit = search(btf.resolve(m.type), base + m.byteOffset);
          if (hit !== undefined) return hit;
        }
      }
    }
    return undefined;
  };
  const hit = search(btf.resolve(typeId), 0);
  if (hit === undefined) return undefined;
  if (rest.length === 0) return { off: hit.off, size: btf.sizeof(hit.type) };
  const inner = memberOf(btf, hit.type, rest.join('.'));
  return inner === undefined ? undefined : { off: hit.off + inner.off, size: inner.size };
}

describe('goldens against the running kernel', () => {
  it.skipIf(!hasVmlinux)(`the recorded layouts are those of /sys/kernel/btf/vmlinux${hasVmlinux ? '' : ' (skipped: no vmlinux BTF)'}`, () => {
    const btf = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
    let n = 0;
    for (const [struct, facts] of Object.entries(layout)) {
      if (struct.startsWith('_')) continue;
      const t = btf.findByName(struct, 'STRUCT')[0]!;
      expect([struct, btf.sizeof(t.id)]).toEqual([struct, facts.__size]);
      for (const [name, v] of Object.entries(facts)) {
        if (!Array.isArray(v)) continue;
        expect([struct, name, memberOf(btf, t.id, name)]).toEqual([struct, name, { off: v[0], size: v[1] }]);
        n++;
      }
    }
    expect(n).toBeGreaterThan(80);
  });

  it.skipIf(!live)(`the fixtures register on the live kernel and tcp_cc_bad_write / tcp_cc_get_info are refused${live ? '' : ` (skipped: ${why})`}`, () => {
    for (const [obj, name] of [
      ['tcp_cc_reno', 'bpf_reno'],
      ['tcp_cc_cubic', 'bpf_cubic'],
      ['tcp_cc_dctcp', 'bpf_dctcp'],
      ['tcp_cc_fixed', 'bpf_fixed'],
    ] as const) {
      execFileSync('bpftool', ['struct_ops', 'register', `programs/${obj}.bpf.o`], { stdio: 'pipe' });
      try {
        expect(readFileSync('/proc/sys/net/ipv4/tcp_available_congestion_control', 'utf8').split(/\s+/)).toContain(name);
      } finally {
        execFileSync('bpftool', ['struct_ops', 'unregister', 'name', name], { stdio: 'pipe' });
      }
    }
    const bad = spawnSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_bad_write.bpf.o'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain(golden.load.bad_ssthresh!.log);
    const gi = spawnSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_get_info.bpf.o'], { encoding: 'utf8' });
    expect(gi.status).not.toBe(0);
    expect(gi.stderr + gi.stdout).toContain(golden.load.gi_get_info!.log);
  });
});
