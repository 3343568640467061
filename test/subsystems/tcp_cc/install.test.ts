/**
 * Owns src/subsystems/tcp_cc/{install,layout}.ts: the emulated vmlinux's tcp_sock & co. against the
 * 6.18 layout golden, the registration rules against the errnos the 6.18 kernel gave
 * (goldens/registration-6.18.json), the tcp_sock write rule and the `struct sock *` → tcp_sock
 * promotion at load, the kfuncs, and unregister / re-register.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { STRUCT_OPS_DATA_OFF } from '../../../src/kernel/structops.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { ERRNO } from '../../../src/util/errno.js';

const layout = JSON.parse(readFileSync('test/subsystems/tcp_cc/goldens/vmlinux-6.18-layout.json', 'utf8')) as Record<string, Record<string, unknown>>;
const golden = JSON.parse(readFileSync('test/subsystems/tcp_cc/goldens/registration-6.18.json', 'utf8')) as {
  builtin: string[];
  cases: Record<string, { define: string[]; errno: string | number }>;
  load: Record<string, { errno: string; log: string }>;
};
/** Recorded members the emulated BTF does not declare (no congestion control reads them). */
const NOT_DECLARED = ['tcp_sock.rx_opt'];
const RENO = readFileSync('programs/tcp_cc_reno.bpf.o');

function kernel(): Kernel {
  const k = new Kernel();
  installTcpCc(k);
  return k;
}

/** Offset (bytes) of a dotted member path in a struct of the emulated vmlinux BTF. */
function offsetOf(k: Kernel, struct: string, path: string): { off: number; size: number } {
  const btf = k.vmlinuxBtf;
  let id = btf.findByName(struct, 'STRUCT')[0]!.id;
  let off = 0;
  let size = 0;
  for (const part of path.split('.')) {
    const m = btf.members(id).find((x) => x.name === part);
    if (m === undefined) throw new Error(`${struct}.${path}: no member ${part}`);
    off += m.byteOffset;
    id = m.type;
    size = btf.sizeof(m.type);
  }
  return { off, size };
}

describe('emulated vmlinux layouts = the 6.18 machine', () => {
  const k = kernel();
  for (const struct of ['sock', 'inet_connection_sock', 'tcp_sock', 'ack_sample', 'rate_sample', 'tcp_congestion_ops']) {
    it(`struct ${struct}: size and every recorded member`, () => {
      const facts = layout[struct]!;
      const btf = k.vmlinuxBtf;
      expect(btf.sizeof(btf.findByName(struct, 'STRUCT')[0]!.id)).toBe(facts.__size);
      let n = 0;
      for (const [name, v] of Object.entries(facts)) {
        if (name === '__size' || !Array.isArray(v)) continue;
        // members of the kernel the emulated BTF leaves out (icsk_inet etc. are the nesting)
        if (NOT_DECLARED.includes(`${struct}.${name}`)) continue;
        const got = offsetOf(k, struct, name);
        expect([name, got.off, got.size]).toEqual([name, v[0], v[1]]);
        n++;
      }
      expect(n).toBeGreaterThan(2);
    });
  }

  it('icsk_ca_state is the 5-bit field at bit 9984 of inet_connection_sock', () => {
    const btf = k.vmlinuxBtf;
    const icsk = btf.findByName('inet_connection_sock', 'STRUCT')[0]!.id;
    const m = btf.members(icsk).find((x) => x.name === 'icsk_ca_state')!;
    const want = layout.inet_connection_sock!.icsk_ca_state as { bitOffset: number; bits: number };
    expect([m.bitOffset, m.bitfieldSize]).toEqual([want.bitOffset, want.bits]);
  });
});

describe('registration (tcp_validate_congestion_control / tcp_register_congestion_control), against 6.18', () => {
  /**
   * The errno the emulator gives for one golden case (0 = registered). The kernel-side value the
   * update writes (kdata at STRUCT_OPS_DATA_OFF) is edited the way the -D overrides edit the object.
   */
  function emulate(name: string): number {
    const k = kernel();
    const o = BpfObject.open(RENO, { kernel: k });
    o.load();
    const m = o.map('bpf_reno');
    const v = m.kernVdata!;
    const at = STRUCT_OPS_DATA_OFF;
    const setName = (s: string): void => {
      v.fill(0, at + 88, at + 104);
      v.set(new TextEncoder().encode(s), at + 88);
    };
    const flags = /^flags_(0x[0-9a-f]+)$/.exec(name);
    if (flags !== null) new DataView(v.buffer, v.byteOffset).setUint32(at + 132, Number(flags[1]), true);
    if (name === 'name_cubic') setName('cubic');
    if (name === 'name_reno') setName('reno');
    if (name === 'name_empty') setName('');
    if (name === 'name_bad_char') setName('bad-name');
    if (name === 'duplicate') {
      const first = BpfObject.open(RENO, { kernel: k });
      first.load();
      expect(first.map('bpf_reno').writeStructOpsValue()).toBe(0);
    }
    const slot = ({ no_ssthresh: 0, no_cong_avoid: 8 } as Record<string, number>)[name];
    if (slot !== undefined) v.fill(0, at + slot, at + slot + 8);
    return m.writeStructOpsValue();
  }

  for (const [name, c] of Object.entries(golden.cases)) {
    it(`${name}: ${c.errno === 0 ? 'registers' : c.errno}`, () => {
      const want = c.errno === 0 ? 0 : -ERRNO[c.errno as keyof typeof ERRNO];
      expect(emulate(name)).toBe(want);
    });
  }

  it('the registered name is listed; unregister frees it for the next registration', () => {
    const k = kernel();
    const sub = installTcpCc(k);
    expect([...sub.list.keys()].sort()).toEqual([...golden.builtin].sort());
    const o = BpfObject.open(RENO, { kernel: k });
    o.load();
    const [link] = o.attach();
    expect(sub.find('bpf_reno')?.inst).toBe(o.map('bpf_reno').structOpsInstance);
    link!.destroy();
    expect(sub.find('bpf_reno')).toBeUndefined();
    // an unregistered congestion control cannot be selected by a socket
    expect(() => simulateTcp({ kernel: k, flows: [{ cc: o.map('bpf_reno').structOpsInstance }], bandwidthBps: 1e6, rttNs: 1e7, durationNs: 1e8 })).toThrow(/not registered/);
    const again = BpfObject.open(RENO, { kernel: k });
    again.load();
    expect(again.map('bpf_reno').writeStructOpsValue()).toBe(0);
  });
});

describe('program load: sock * is read as tcp_sock *, stores follow the tcp_sock write rule', () => {
  it('a store to snd_nxt fails with the kernel\'s errno and log line; stores to snd_cwnd and icsk_ca_priv load', () => {
    const k = kernel();
    const o = BpfObject.open(readFileSync('programs/tcp_cc_bad_write.bpf.o'), { kernel: k });
    const want = golden.load.bad_ssthresh!;
    let err: unknown;
    try {
      o.load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    const e = err as { code: string; cause?: { log?: string } };
    expect(e.code).toBe(want.errno);
    expect(String(e.cause?.log ?? '')).toContain(want.log);
    // CUBIC writes icsk_ca_priv (any offset) and reads tcp_sock fields beyond struct sock
    const c = BpfObject.open(readFileSync('programs/tcp_cc_cubic.bpf.o'), { kernel: k });
    expect(() => c.load()).not.toThrow();
  });

  it('a program for get_info (no cfi stub in the kernel) fails to load with ENOTSUPP and the kernel\'s log line', () => {
    const k = kernel();
    const o = BpfObject.open(readFileSync('programs/tcp_cc_get_info.bpf.o'), { kernel: k });
    const want = golden.load.gi_get_info!;
    let err: unknown;
    try {
      o.load();
    } catch (e) {
      err = e;
    }
    const e = err as { code: string; cause?: { log?: string }; message: string };
    expect(e.code).toBe(want.errno);
    expect(`${e.message}\n${String(e.cause?.log ?? '')}`).toContain(want.log);
  });
});
