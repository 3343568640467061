/**
 * The socket pointers of the cgroup and socket ctxs (bpf_sock_ops->sk: sock_or_null,
 * bpf_sock_addr->sk: sock, bpf_sk_lookup->sk: sock_or_null) as the verifier's socket types: the
 * load verdicts of golden/sock-ptr.json, recorded on 6.18 (null checks, reads through the socket,
 * passing it to bpf_tcp_sock).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernel, load } from './harness.js';

const G = JSON.parse(readFileSync(new URL('./golden/sock-ptr.json', import.meta.url), 'utf8')) as { cases: { name: string; progType: number; eat: number; asm: string; errno: number }[] };

describe('ctx socket pointers against 6.18 (golden/sock-ptr.json)', () => {
  for (const c of G.cases) {
    it(c.name, () => {
      let errno = 0;
      try {
        load(kernel(), c.progType, c.asm, { eat: c.eat });
      } catch (e) {
        errno = -Number(/load failed: (-\d+)/.exec(String(e))?.[1]);
      }
      expect(errno).toBe(c.errno);
    });
  }
});
