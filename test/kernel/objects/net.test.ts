/**
 * The emulated network's configuration (src/kernel/objects/net.ts): what a fresh namespace has,
 * the routes an address implies, and typed errors for bad definitions. bpf_fib_lookup over it is
 * checked against 6.18 by the kernel-differential cases xdp_fib_lookup_* (test/kernel-diff).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { prefixMatch } from '../../../src/helpers/fib.js';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('kernel.net', () => {
  it('starts with lo (ifindex 1, MTU 65536, forwarding off) and numbers new devices from 2', () => {
    const k = new Kernel();
    expect(k.net.list()).toEqual([{ ifindex: 1, name: 'lo', mtu: 65536, up: true }]);
    expect(k.net.device(1)?.forwarding4).toBe(false);
    expect(k.net.addDevice({ name: 'eth0' })).toBe(2);
    expect(k.net.addDevice({ name: 'eth1', mtu: 9000 })).toBe(3);
    expect([...k.net.device(2)!.mac]).toEqual([2, 0, 0, 0, 0, 2]);
    k.net.setForwarding(true);
    expect(k.net.device(3)?.forwarding6).toBe(true);
  });

  it('derives the local, broadcast and connected routes of an address', () => {
    const k = new Kernel();
    k.net.addDevice({ name: 'eth0', addresses: ['10.1.0.1/24', 'fd00::1/64'] });
    const v4 = k.net.routes(2).filter((r) => r.dev === 2).map((r) => `${r.type} ${r.dst.join('.')}/${r.plen} t${r.table} m${r.metric}`);
    expect(v4).toEqual(['local 10.1.0.1/32 t255 m0', 'local 10.1.0.255/32 t255 m0', 'unicast 10.1.0.0/24 t254 m0']);
    const v6 = k.net.routes(10).filter((r) => r.dev === 2 && r.type === 'unicast');
    expect(v6.map((r) => [r.plen, r.metric])).toEqual([[64, 256]]);
    k.net.addRoute({ dst: '10.9.0.0/16', via: '10.1.0.254' });
    expect(k.net.routes(2).find((r) => r.plen === 16)?.dev).toBe(2);
    k.net.addRoute({ dst: 'default', family: 'ipv6', via: 'fd00::fe', dev: 'eth0' });
    expect(k.net.routes(10).find((r) => r.plen === 0)?.metric).toBe(1024);
  });

  it('refuses bad definitions with typed errors', () => {
    const k = new Kernel();
    expect(code(() => k.net.addDevice({ name: 'a name that is far too long' }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addDevice({ name: 'x', mtu: 10 }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addDevice({ name: 'x', mac: 'zz' }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addDevice({ name: 'x', addresses: ['10.0.0.1/33'] }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addDevice({ name: 'lo' }))).toBe('NET_DUPLICATE');
    expect(code(() => k.net.addRoute({ dst: '10.0.0.0/8' }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addRoute({ dst: '10.0.0.0/8', dev: 'nope' }))).toBe('NET_NO_DEVICE');
    expect(code(() => k.net.addRoute({ dst: '10.0.0.0/8', via: 'fd00::1', dev: 'lo' }))).toBe('NET_BAD_SPEC');
    expect(code(() => k.net.addNeighbour({ dev: 7, addr: '10.0.0.1', mac: '02:00:00:00:00:01' }))).toBe('NET_NO_DEVICE');
  });

  it('matches prefixes bit by bit', () => {
    expect(prefixMatch(Uint8Array.of(10, 1, 0, 0), Uint8Array.of(10, 1, 255, 3), 16)).toBe(true);
    expect(prefixMatch(Uint8Array.of(10, 1, 0, 0), Uint8Array.of(10, 1, 255, 3), 17)).toBe(false);
    expect(prefixMatch(Uint8Array.of(10, 0, 0, 0), Uint8Array.of(11, 0, 0, 0), 7)).toBe(true);
    expect(prefixMatch(Uint8Array.of(10, 0, 0, 0), Uint8Array.of(11, 0, 0, 0), 8)).toBe(false);
  });
});
