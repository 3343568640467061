/**
 * The web playground's engine (web/engine.ts) under Node: what the page shows about an object and
 * a run, checked against the fixture's documented behaviour (programs/xdp_firewall.bpf.c's header
 * comment) and the object's own listing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPacket } from '../../src/index.js';
import { describeObject, runProgram, parseKnob, retvalName, structOpsAssocDemo, simulateSchedExtSvg, simulateTcpSvg, simulatorsOf } from '../../web/engine.js';

const FW = new Uint8Array(readFileSync(new URL('../../programs/xdp_firewall.bpf.o', import.meta.url)));
const tcp = (dport: number) => buildPacket([{ eth: {} }, { ipv4: { src: '10.0.0.1', dst: '10.0.0.2' } }, { tcp: { dport, flags: ['syn'] } }], { minLength: 60 });

describe('web engine', () => {
  it('describes xdp_firewall: program, maps, knobs, listing, CFG, verdict, sources', () => {
    const v = describeObject(FW, 'xdp_firewall');
    expect(v.programs.map((p) => [p.name, p.type, p.takesPacket])).toEqual([['xdp_firewall', 'xdp', true]]);
    const p = v.programs[0]!;
    expect(p.verdict.verdict).toBe('accepted');
    expect(p.listing.some((l) => l.startsWith('; ') && l.includes('xdp_firewall.bpf.c'))).toBe(true);
    expect(p.cfgSvg.startsWith('<svg')).toBe(true);
    expect(v.maps.map((m) => m.name).sort()).toEqual(['blocklist', 'drop_stats', 'proto_stats']);
    const ro = v.globals.find((g) => g.section === '.rodata')!;
    expect(ro.readonly).toBe(true);
    expect(ro.variables).toContainEqual({ name: 'blocked_tcp_port', size: 2, value: 22 });
    expect(v.btfC).toContain('struct counter {');
    expect(v.sources['xdp_firewall.bpf.c']!.length).toBeGreaterThan(10);
  });

  it('runs a TCP SYN to port 22: XDP_DROP, drop_stats[1] = 1, a trace starting at pc 0, line hits', () => {
    const r = runProgram(FW, 'xdp_firewall', { program: 'xdp_firewall', dataIn: tcp(22) });
    expect(r.fault).toBeNull();
    expect([r.retval, r.retName]).toEqual([1, 'XDP_DROP']);
    expect(r.maps.drop_stats!.entries).toContainEqual({ key: 1, value: 1 });
    expect(r.maps.proto_stats!.entries).toContainEqual({ key: 0, value: { packets: 1, bytes: 60 } });
    const listing = describeObject(FW, 'xdp_firewall').programs[0]!.listing;
    const pc0 = listing.find((l) => /^\s*0: /.test(l))!;
    expect(r.trace[0]!.pc).toBe(0);
    expect(pc0).toContain(r.trace[0]!.insn);
    expect(r.trace[0]!.regs[1]).toBe('ctx+0');
    expect(r.trace[0]!.regs[10]).toBe('fp0');
    expect(r.executed).toBe(r.trace.length);
    expect(r.lineHits.length).toBeGreaterThan(3);
    expect(r.lineHits.every(([s]) => s.startsWith('xdp_firewall.bpf.c:'))).toBe(true);
  });

  it('applies a knob and seeds a map from JSON', () => {
    const pass = runProgram(FW, 'xdp_firewall', { program: 'xdp_firewall', dataIn: tcp(22), knobs: { blocked_tcp_port: '23' }, trace: false });
    expect(pass.retName).toBe('XDP_PASS');
    expect(pass.dataOut).toBe(pass.dataIn);
    const udp = buildPacket([{ eth: {} }, { ipv4: { src: '192.168.1.66', dst: '10.0.0.2' } }, { udp: { dport: 53 } }], { minLength: 60 });
    const blocked = runProgram(FW, 'xdp_firewall', { program: 'xdp_firewall', dataIn: udp, maps: { blocklist: [{ key: 'c0a80142', value: '0000000000000000' }] } });
    expect(blocked.retName).toBe('XDP_DROP');
    expect(blocked.maps.blocklist!.entries).toEqual([{ key: 0x4201a8c0, value: 1 }]);
  });

  it('names return values and parses knobs', () => {
    expect(retvalName('XDP', 2)).toBe('XDP_PASS');
    expect(retvalName('SCHED_CLS', 2)).toBe('TC_ACT_SHOT');
    expect(retvalName('SCHED_CLS', 0xffffffff)).toBe('TC_ACT_UNSPEC');
    expect(parseKnob('0x10')).toBe(16);
    expect(parseKnob('true')).toBe(true);
    expect(parseKnob('eth0')).toBe('eth0');
  });

  it('walks through the struct_ops association demo (struct_ops_demo.bpf.c header comment)', () => {
    const steps = structOpsAssocDemo(new Uint8Array(readFileSync(new URL('../../programs/struct_ops_demo.bpf.o', import.meta.url))));
    const at = (title: string) => steps.find((s) => s.title.startsWith(title))!;
    const assoc = (title: string, prog: string) => at(title).programs.find((p) => p.name === prog)!.assoc;
    const map = (title: string, name: string) => at(title).maps.find((m) => m.name === name)!;
    expect(assoc('load', 'dispatch_double')).toBe('none');
    expect(map('load', 'doubler').state).toBe('INIT');
    expect(assoc('BPF_PROG_ASSOC', 'dispatch_double')).toBe('map doubler');
    expect(assoc('BPF_PROG_ASSOC', 'dispatch_shared')).toBe('map shared_x');
    expect(assoc('attach', 'double_it')).toBe('map doubler');
    expect(assoc('attach', 'shared_probe')).toBe('poison');
    expect(map('attach', 'doubler').state).toBe('READY'); // a link-mode map stays READY once updated (the link holds it)
    expect(at('run dispatch_double').detail).toMatch(/= 42$/);
    expect(at('run dispatch_square').detail).toMatch(/= 144$/);
    expect(at('run dispatch_shared').detail).toContain('= 7; its own inner kfunc call got -1');
    expect(at('re-associate').detail).toMatch(/^EBUSY/);
    expect(map('destroy the links', 'doubler').state).toBe('fd closed, still referenced');
    expect(at('destroy the links').detail).toMatch(/: 10$/);
    expect(map('close dispatch_double', 'doubler')).toMatchObject({ state: 'freed', freed: true });
    expect(assoc('close dispatch_double', 'double_it')).toBe('none');
  });

  it('simulates a sched_ext scheduler and a TCP congestion control of an object as SVG', () => {
    const vtime = new Uint8Array(readFileSync(new URL('../../programs/scx_vtime.bpf.o', import.meta.url)));
    expect(simulatorsOf(describeObject(vtime, 'scx_vtime')).schedExt.length).toBe(1);
    const wl = JSON.parse(readFileSync(new URL('../../docs/sched-ext-workload.json', import.meta.url), 'utf8')) as unknown;
    const s = simulateSchedExtSvg(vtime, wl, { durationNs: 200e6 });
    expect(s.svg.startsWith('<svg')).toBe(true);
    // the workload's two CPUs, each drawn as a row
    expect(s.svg).toContain('>CPU 1<');
    expect(s.svg).not.toContain('>CPU 2<');
    expect(s.exit).toBe('UNREG: unregistered from user space'); // the simulation's end detaches the scheduler
    const reno = new Uint8Array(readFileSync(new URL('../../programs/tcp_cc_reno.bpf.o', import.meta.url)));
    const sims = simulatorsOf(describeObject(reno, 'tcp_cc_reno'));
    expect(sims.tcp.length).toBe(1);
    const t = simulateTcpSvg(reno, { ops: sims.tcp[0]!, vs: 'reno', bandwidthBps: 10e6, rttNs: 20e6, durationNs: 2e9 });
    expect(t.svg).toContain('<svg');
    expect(t.summary).toMatch(/Mbit\/s/);
  });

  it('gives each struct_ops program its own verdict (scx_bad_write.bpf.c header: the object does not load)', () => {
    const v = describeObject(new Uint8Array(readFileSync(new URL('../../programs/scx_bad_write.bpf.o', import.meta.url))), 'scx_bad_write');
    const by = Object.fromEntries(v.programs.map((p) => [p.name, p.verdict]));
    expect([by.bad_enable!.verdict, by.bad_enable!.errno, by.bad_enable!.line]).toEqual(['rejected', 'EACCES', 'scx_bad_write.bpf.c:16']);
    expect(by.ok_enable!.verdict).toBe('accepted');
    expect([by.sleepy_enqueue!.verdict, by.sleepy_enqueue!.errno]).toEqual(['rejected', 'EINVAL']);
  });

  it('refuses a malformed object with a typed error naming what is wrong', () => {
    expect(() => describeObject(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]), 'bad')).toThrow(/shorter than e_ident/);
  });
});
