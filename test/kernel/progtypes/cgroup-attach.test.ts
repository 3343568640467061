/**
 * The cgroup attach model (src/kernel/progtypes/cgroup-attach.ts) driven through bpf(): the script
 * of golden/cgroup-attach-live.json — BPF_PROG_ATTACH with no flag, BPF_F_ALLOW_OVERRIDE,
 * BPF_F_ALLOW_MULTI and BPF_F_REPLACE, cgroup links, BPF_PROG_DETACH with and without a program,
 * BPF_PROG_QUERY (own and effective, short arrays, prog_attach_flags, revision) and socket()
 * from a task in each cgroup of a three-level hierarchy — replayed step by step in the emulator,
 * every result compared with what Linux 6.18 returned (recorded by cgroup-attach-live.c as root;
 * the last test re-records it live and skips visibly otherwise).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { fireCgroup } from '../../../src/kernel/progtypes/cgroup.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { cgroupsOf, type Cgroup } from '../../../src/maps/cgroups.js';
import { AttachType, ProgType } from '../../../src/object/uapi.js';
import { liveProbeGate } from '../../maps/live/probe.js';

interface Step {
  readonly op: 'attach' | 'detach' | 'query' | 'fire' | 'link' | 'unlink' | 'link_detach' | 'link_update' | 'reset';
  readonly cg?: number;
  readonly prog?: number;
  readonly type?: number;
  readonly flags?: number;
  readonly replace?: number;
  readonly qflags?: number;
  readonly cap?: number;
  readonly paflags?: number;
  readonly link?: number;
  /** attach/detach: expected_revision */
  readonly rev?: number;
  /** attach: a non-zero byte at offset 32 (past the command's last field) */
  readonly tail?: number;
  /** attach: relative_fd/relative_id is 1 a program's fd, 2 its id, 4 the raw value relv */
  readonly relkind?: number;
  readonly relv?: number;
  readonly ret: number;
  readonly [k: string]: unknown;
}
interface Golden {
  readonly progs: number;
  readonly steps: readonly Step[];
}
const G = JSON.parse(readFileSync(new URL('./golden/cgroup-attach-live.json', import.meta.url), 'utf8')) as Golden;

/** `r0 = ret; exit` */
function insns(ret: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint8(0, 0xb7);
  dv.setInt32(4, ret, true);
  dv.setUint8(8, 0x95);
  return b;
}

/** Programs 72.. of the recorder: [program type, expected attach type]. */
const EXTRA: readonly (readonly [number, number])[] = [
  [ProgType.CGROUP_SKB, 0],
  [ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS],
  [ProgType.SOCK_OPS, 0],
  [ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT],
  [ProgType.CGROUP_DEVICE, 0],
  [ProgType.CGROUP_SOCK, 0],
];

/** The recorder's programs: 4 denies, 5 is a cgroup/sock program for post_bind4, 6 a cgroup_skb one, 72.. EXTRA. */
function loadProgs(k: Kernel): { fds: number[]; ids: number[] } {
  const fds: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < G.progs; i++) {
    const [type, eat] = i >= 72 ? EXTRA[i - 72]! : i === 6 ? [ProgType.CGROUP_SKB, 0] : [ProgType.CGROUP_SOCK, i === 5 ? AttachType.CGROUP_INET4_POST_BIND : AttachType.CGROUP_INET_SOCK_CREATE];
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: 2, insns: insns(i === 4 ? 0 : 1), license: 'GPL', expected_attach_type: eat });
    expect(fd, k.lastErrorReason ?? '').toBeGreaterThan(0);
    const info = new Uint8Array(256);
    expect(k.bpf(Cmd.OBJ_GET_INFO_BY_FD, { bpf_fd: fd, info_len: 256, info })).toBe(0);
    fds.push(fd);
    ids.push(new DataView(info.buffer).getUint32(4, true));
  }
  return { fds, ids };
}

/** Replay the golden's steps in a fresh emulated kernel; each step with the emulator's results. */
function replay(): Step[] {
  const k = new Kernel();
  const tree = cgroupsOf(k);
  const { fds, ids } = loadProgs(k);
  let cgs: Cgroup[] = [];
  let cgFds: number[] = [];
  let links: number[] = [];
  let generation = 0;
  // -1: no fd (0), -2: a closed fd, -3: an open fd of something else (the recorder's /dev/null)
  const fdOf = (operand: number, table: readonly number[]): number => (operand === -1 ? 0 : operand === -2 ? 999 : operand === -3 ? 1 : table[operand]!);
  const out: Step[] = [];
  for (const s of G.steps) {
    const { ret: _ret, ...args } = s;
    const rest: Record<string, unknown> = { ...args };
    let ret = 0;
    switch (s.op) {
      case 'reset': {
        for (const l of links) if (l >= 0) k.close(l);
        for (const fd of cgFds) k.close(fd);
        links = [];
        const a = tree.mkdir(tree.root, `a${generation++}`);
        const b = tree.mkdir(a, 'b');
        cgs = [a, b, tree.mkdir(b, 'c')];
        cgFds = cgs.map((c) => tree.openFd(k, c));
        break;
      }
      case 'attach': {
        const attr = {
          target_fd: fdOf(s.cg!, cgFds),
          attach_bpf_fd: fdOf(s.prog!, fds),
          attach_type: s.type!,
          attach_flags: s.flags!,
          replace_bpf_fd: (s.flags! & 4) !== 0 ? fdOf(s.replace!, fds) : 0,
          expected_revision: BigInt(s.rev ?? 0),
          relative_fd: s.relkind === 1 ? fds[s.relv!]! : s.relkind === 2 ? ids[s.relv!]! : s.relkind === 4 ? s.relv! : 0,
        };
        if (s.tail) {
          // raw bytes: the typed encoder has no field past expected_revision
          const raw = new Uint8Array(168);
          const dv = new DataView(raw.buffer);
          [attr.target_fd, attr.attach_bpf_fd, attr.attach_type, attr.attach_flags, attr.replace_bpf_fd, attr.relative_fd].forEach((v, i) => dv.setUint32(i * 4, v, true));
          dv.setBigUint64(24, attr.expected_revision, true);
          raw[32] = s.tail;
          ret = k.bpf(Cmd.PROG_ATTACH, raw);
        } else ret = k.bpf(Cmd.PROG_ATTACH, attr);
        break;
      }
      case 'detach':
        ret = k.bpf(Cmd.PROG_DETACH, { target_fd: fdOf(s.cg!, cgFds), attach_bpf_fd: fdOf(s.prog!, fds), attach_type: s.type!, expected_revision: BigInt(s.rev ?? 0) });
        break;
      case 'link_update':
        ret = k.bpf(Cmd.LINK_UPDATE, { link_fd: links[s.link!]!, new_prog_fd: fdOf(s.prog!, fds), flags: s.flags!, old_prog_fd: (s.flags! & 4) !== 0 ? fdOf(s.replace!, fds) : 0 });
        break;
      case 'link_detach':
        ret = k.bpf(Cmd.LINK_DETACH, { link_fd: links[s.link!]! });
        break;
      case 'link': {
        const fd = k.bpf(Cmd.LINK_CREATE, { prog_fd: fdOf(s.prog!, fds), target_fd: fdOf(s.cg!, cgFds), attach_type: s.type!, flags: s.flags ?? 0, expected_revision: BigInt(s.rev ?? 0) });
        if (fd >= 0) links.push(fd);
        ret = fd < 0 ? fd : 0;
        break;
      }
      case 'unlink':
        k.close(links[s.link!]!);
        links[s.link!] = -1;
        break;
      case 'fire': {
        tree.current = cgs[s.cg!]!;
        ret = fireCgroup(k, 'cgroup/sock_create', { sock: { family: 2, type: 2, protocol: 17 } }).retval;
        tree.current = tree.root;
        break;
      }
      case 'query': {
        const idBuf = new Uint8Array(80 * 4).fill(0xff);
        const pfBuf = new Uint8Array(80 * 4).fill(0xff);
        const attr: Record<string, number | bigint | Uint8Array> = {
          target_fd: fdOf(s.cg!, cgFds),
          attach_type: s.type!,
          query_flags: s.qflags!,
          attach_flags: 0xdead,
          // paflags 2: prog_ids at an unmapped address
          prog_ids: s.paflags === 2 ? 8 : idBuf,
          prog_cnt: s.cap!,
          revision: 0xbeefn,
        };
        if (s.paflags === 1) attr.prog_attach_flags = pfBuf;
        ret = k.bpf(Cmd.PROG_QUERY, attr);
        const words = (b: Uint8Array): number[] => {
          const dv = new DataView(b.buffer);
          const w: number[] = [];
          for (let i = 0; i < 80 && dv.getUint32(i * 4, true) !== 0xffffffff; i++) w.push(dv.getUint32(i * 4, true));
          return w;
        };
        rest.attach_flags = attr.attach_flags;
        rest.prog_cnt = attr.prog_cnt;
        rest.revision = Number(attr.revision);
        rest.ids = words(idBuf).map((id) => ids.indexOf(id));
        rest.prog_attach_flags = words(pfBuf);
        break;
      }
    }
    out.push({ ...(rest as Omit<Step, 'ret'>), ret } as Step);
  }
  return out;
}

describe('cgroup BPF_PROG_ATTACH / DETACH / QUERY against 6.18 (golden/cgroup-attach-live.json)', () => {
  const steps = replay();

  it(`replays all ${G.steps.length} recorded steps with the kernel's results`, () => {
    // step by step first, so a failure names the first step that differs
    for (let i = 0; i < G.steps.length; i++) expect({ i, ...steps[i] }).toEqual({ i, ...G.steps[i] });
  });

  it('the golden covers each mode and errno the task names', () => {
    const rets = new Set(G.steps.map((s) => `${s.op}:${s.ret}`));
    for (const want of ['attach:-1', 'attach:-22', 'attach:-2', 'attach:-7', 'attach:-9', 'detach:-2', 'detach:-22', 'query:-28', 'fire:-1', 'fire:0', 'link:-1', 'attach:-116', 'detach:-116', 'link_detach:0', 'link:-22', 'link:-116', 'link_update:-1', 'link_update:-22', 'link_update:-67', 'query:-14']) expect(rets).toContain(want);
  });

  const gate = liveProbeGate('6.18');
  it.skipIf(!gate.live || spawnSync('cc', ['-O2', '-o', '/tmp/bpfemu-cgroup-attach-live', new URL('./cgroup-attach-live.c', import.meta.url).pathname]).status !== 0)(
    `the running kernel still gives the golden (live; ${gate.live ? 'root on 6.18' : `skipped: ${gate.why}`})`,
    () => {
      const r = spawnSync('/tmp/bpfemu-cgroup-attach-live', [], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Golden).steps).toEqual(G.steps);
    },
  );
});
