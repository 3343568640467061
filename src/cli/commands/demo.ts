/**
 * `bpfemu demo` (what `npm start` runs): two bundled, compiled examples.
 *  1. programs/xdp_firewall.bpf.o: an XDP firewall with per-protocol counters, run over a set of
 *     frames; prints each verdict and the final map contents.
 *  2. programs/struct_ops_demo.bpf.o: struct_ops maps and syscall programs; shows association,
 *     dispatch through a kfunc, poison, EBUSY on re-association, and what freeing does.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, BpfError } from '../../api/index.js';
import { Kernel } from '../../kernel/kernel.js';
import { arpFrame, ipv4, ipv4Frame, ipv6Frame } from '../../util/packets.js';
import type { Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

/**
 * A bundled program object, in the package's programs/ beside dist/ (found upwards from this file:
 * dist/cli/commands/ in the modules, dist/cli/ in the one-file build).
 */
export function bundledProgram(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4 && !existsSync(join(dir, 'programs', name)); up++) dir = dirname(dir);
  return join(dir, 'programs', name);
}

const XDP_ACTIONS = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];

function u64le(b: Uint8Array, off: number): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

function u32key(i: number): Uint8Array {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, i, true);
  return k;
}

/** Part 1: the firewall. */
export function firewallDemo(io: Io): void {
  const path = bundledProgram('xdp_firewall.bpf.o');
  io.out(`== 1/2 XDP firewall: ${path}\n`);
  const obj = BpfObject.open(io.readFile(path), { name: 'xdp_firewall' });
  obj.load();
  const prog = obj.program('xdp_firewall');
  io.out(`loaded ${prog.name} (${prog.spec.typeName.toLowerCase()}, ${prog.spec.insns.length} instructions); knob blocked_tcp_port = ${obj.variable('blocked_tcp_port').getInt()}\n`);
  const blocked = ipv4('192.168.1.66');
  obj.map('blocklist').update(blocked, new Uint8Array(8));
  io.out('blocklist: 192.168.1.66\n\n');
  const frames: [string, Uint8Array][] = [
    ['TCP 10.0.0.1 -> 10.0.0.2:80', ipv4Frame('tcp', { dstPort: 80 })],
    ['TCP 10.0.0.1 -> 10.0.0.2:22', ipv4Frame('tcp', { dstPort: 22 })],
    ['UDP 10.0.0.1 -> 10.0.0.2:53', ipv4Frame('udp', { dstPort: 53 })],
    ['ICMP echo 10.0.0.1 -> 10.0.0.2', ipv4Frame('icmp')],
    ['UDP 192.168.1.66 -> 10.0.0.2:53', ipv4Frame('udp', { src: '192.168.1.66', dstPort: 53 })],
    ['IPv6 UDP fd00::1 -> fd00::2:53', ipv6Frame('udp', { dstPort: 53 })],
    ['ARP who-has 10.0.0.2', arpFrame()],
    ['UDP with IHL 15 (truncated)', ipv4Frame('udp', { ihl: 15 })],
  ];
  for (const [label, frame] of frames) {
    const r = prog.testRun({ dataIn: frame });
    io.out(`  ${label.padEnd(34)} ${String(frame.length).padStart(3)} bytes  ${XDP_ACTIONS[r.retval] ?? r.retval}\n`);
  }
  io.out('\nproto_stats (packets, bytes):\n');
  ['TCP', 'UDP', 'ICMP', 'other'].forEach((name, i) => {
    const v = obj.map('proto_stats').lookup(u32key(i))!;
    io.out(`  ${name.padEnd(6)} ${u64le(v, 0)} packets, ${u64le(v, 8)} bytes\n`);
  });
  io.out('drop_stats:\n');
  ['blocklist', 'blocked port', 'malformed'].forEach((name, i) => {
    io.out(`  ${name.padEnd(13)} ${u64le(obj.map('drop_stats').lookup(u32key(i))!, 0)}\n`);
  });
  io.out(`blocklist hits for 192.168.1.66: ${u64le(obj.map('blocklist').lookup(blocked)!, 0)}\n\n`);
  obj.close();
}

/** Part 2: struct_ops association. */
export function structOpsDemo(io: Io): void {
  const path = bundledProgram('struct_ops_demo.bpf.o');
  io.out(`== 2/2 struct_ops and BPF_PROG_ASSOC_STRUCT_OPS: ${path}\n`);
  const kernel = new Kernel({ testmod: true });
  const obj = BpfObject.open(io.readFile(path), { kernel, name: 'struct_ops_demo' });
  obj.load();
  const maps = ['doubler', 'squarer', 'shared_x', 'shared_y'];
  io.out(`1. loaded: struct_ops maps ${maps.join(', ')} (bpf_testmod_multi_st_ops); programs ${obj.programs.map((p) => p.name).join(', ')}\n`);
  const pairs: [string, string][] = [
    ['dispatch_double', 'doubler'],
    ['dispatch_square', 'squarer'],
    ['dispatch_shared', 'shared_x'],
  ];
  for (const [p, m] of pairs) obj.program(p).assocStructOps(obj.map(m));
  io.out(`2. BPF_PROG_ASSOC_STRUCT_OPS: ${pairs.map(([p, m]) => `${p} -> ${m}`).join(', ')}\n`);
  obj.attach();
  const probe = obj.program('shared_probe').kernelProg;
  io.out(`3. attach: each map update associates its struct_ops programs; shared_probe is in shared_x and shared_y, so it is ${probe.assoc.kind === 'poison' ? 'POISONED' : probe.assoc.kind}\n`);
  // Syscall programs write their result into ctx (demo_args.result at offset 8), which the test run
  // copies back into ctx_in.
  const run = (prog: string, a: bigint): number => {
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, a, true);
    obj.program(prog).testRun({ ctxIn: ctx });
    return new DataView(ctx.buffer).getInt32(8, true);
  };
  io.out(`4. dispatch_double(a=21): syscall -> kfunc -> doubler.test_1 (double_it) = ${run('dispatch_double', 21n)}\n`);
  io.out(`5. dispatch_square(a=12): syscall -> kfunc -> squarer.test_1 (square_it) = ${run('dispatch_square', 12n)}\n`);
  io.out(`6. dispatch_shared: shared_x.test_1 (shared_probe) = ${run('dispatch_shared', 0n)}; its own inner kfunc call got ${obj.variable('shared_inner').getInt()} (poisoned -> NULL)\n`);
  try {
    obj.program('dispatch_double').assocStructOps(obj.map('squarer'));
    io.out('7. re-association unexpectedly succeeded\n');
  } catch (e) {
    io.out(`7. re-associate dispatch_double -> squarer: ${e instanceof BpfError ? e.code : String(e)} (an association is fixed once set)\n`);
  }
  const refcnt = (name: string): number => {
    const m = obj.map(name);
    const v = m.lookup(new Uint8Array(4))!;
    return new DataView(v.buffer).getUint32(0, true);
  };
  io.out(`8. doubler lookup: common.refcnt (refcnt - usercnt) = ${refcnt('doubler')} (its link + dispatch_double's association)\n`);
  const doublerMap = obj.map('doubler').kernelMap;
  const doubleIt = obj.program('double_it').kernelProg;
  obj.attachedLinks.forEach((l) => l.destroy());
  obj.map('doubler').close();
  kernel.drain();
  io.out(`9. destroy the links and close doubler's fd: map ${doublerMap.freed ? 'freed' : 'still alive (dispatch_double holds a reference)'}; double_it association: ${doubleIt.assoc.kind}\n`);
  io.out(`   dispatch_double still reaches it: ${run('dispatch_double', 5n)}\n`);
  obj.program('dispatch_double').close();
  kernel.drain();
  io.out(`10. close dispatch_double: its reference goes, the map is ${doublerMap.freed ? 'freed' : 'still alive'}, double_it is now ${doubleIt.assoc.kind === 'none' ? 'unassociated' : doubleIt.assoc.kind}\n`);
  obj.close();
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the bundled examples (an XDP firewall; struct_ops association)',
  usage: 'usage: bpfemu demo [--only firewall|struct_ops]',
  run(args: readonly string[], io: Io): number {
    const { values } = parseCommandArgs('demo', args, { only: { type: 'string' } } as const);
    if (values.only !== undefined && values.only !== 'firewall' && values.only !== 'struct_ops') {
      throw new CliError('USAGE', `demo: --only: unknown demo '${values.only}' (firewall, struct_ops)`);
    }
    if (values.only === undefined || values.only === 'firewall') firewallDemo(io);
    if (values.only === undefined || values.only === 'struct_ops') structOpsDemo(io);
    return EXIT_OK;
  },
};
