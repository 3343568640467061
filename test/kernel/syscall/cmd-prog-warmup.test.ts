/**
 * The warm-ups at BPF_PROG_LOAD (src/kernel/syscall/cmd-prog.ts, warmUpAtLoad): the first load of
 * a process runs the interpreter's type-feedback warm-up and the test-run warm-up of the program's
 * type before any run, unless the kernel was made with `warmUp: false`, and the loading kernel sees
 * nothing of either. Each case imports the modules afresh: the warm-ups run once per module graph.
 */
import { describe, expect, it, vi } from 'vitest';

async function fresh() {
  vi.resetModules();
  const { Kernel } = await import('../../../src/kernel/kernel.js');
  const { Cmd } = await import('../../../src/kernel/syscall/uapi.js');
  const { ProgType } = await import('../../../src/object/uapi.js');
  const { assembleBytes } = await import('../../../src/isa/asm.js');
  const interp = await import('../../../src/vm/interp.js');
  const { warmUp } = await import('../../../src/vm/warmup.js');
  const load = (k: InstanceType<typeof Kernel>, type: number): number => {
    const insns = assembleBytes('mov r0, 2\nexit');
    return k.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: 2, insns, license: 'GPL' });
  };
  return { Kernel, Cmd, ProgType, interp, warmUp, load };
}

describe('warm-ups at BPF_PROG_LOAD', () => {
  it('the first load runs both warm-ups, before any run', async () => {
    const { Kernel, Cmd, ProgType, interp, warmUp, load } = await fresh();
    const k = new Kernel({ seed: 3 });
    const entries = interp.engineStats.fastEntries;
    const fd = load(k, ProgType.XDP);
    expect(fd).toBeGreaterThan(0);
    // The test-run warm-up ran its XDP program in the scratch kernel (26 runs on the interpreter).
    expect(interp.engineStats.fastEntries - entries).toBeGreaterThanOrEqual(26);
    // The interpreter's own warm-up has run: a second call does nothing.
    expect(warmUp(interp.execute)).toBe(false);
    // The loading kernel sees one program, its own, and no maps.
    const a = { start_id: 0, next_id: 0 };
    expect(k.bpf(Cmd.PROG_GET_NEXT_ID, a)).toBe(0);
    expect(a.next_id).toBe(1);
    expect(k.bpf(Cmd.PROG_GET_NEXT_ID, { start_id: 1, next_id: 0 })).toBeLessThan(0);
    expect(k.bpf(Cmd.MAP_GET_NEXT_ID, { start_id: 0, next_id: 0 })).toBeLessThan(0);
    expect(k.tracePipe).toEqual([]);
  });

  it("the loading kernel's clock and fds are those of a kernel without warm-ups", async () => {
    const { Kernel, Cmd, ProgType, load } = await fresh();
    const seen = [true, false].map((warmUp) => {
      const k = new Kernel({ seed: 3, warmUp });
      const fd = load(k, ProgType.SCHED_CLS);
      return { fd, now: k.monotonicNs(), next: k.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 4, max_entries: 1 }) };
    });
    expect(seen[0]).toEqual(seen[1]);
  });

  it('warmUp: false runs neither at load; the first run still runs the interpreter\'s', async () => {
    const { Kernel, Cmd, ProgType, interp, warmUp, load } = await fresh();
    const k = new Kernel({ warmUp: false });
    const entries = interp.engineStats.fastEntries;
    const fd = load(k, ProgType.XDP);
    expect(interp.engineStats.fastEntries).toBe(entries);
    const f = new Uint8Array(64);
    expect(k.bpf(Cmd.PROG_TEST_RUN, { prog_fd: fd, data_in: f, data_size_in: f.length })).toBe(0);
    // One entry: the user's run; the interpreter's warm-up ran first and is not counted.
    expect(interp.engineStats.fastEntries - entries).toBe(1);
    expect(warmUp(interp.execute)).toBe(false);
  });

  it('a load on engine js runs the test-run warm-up translated, and not the interpreter\'s', async () => {
    const { Kernel, ProgType, interp, warmUp, load } = await fresh();
    const { tierStats } = await import('../../../src/vm/tier/cache.js');
    const compiled = tierStats.compiled;
    const entries = interp.engineStats.fastEntries;
    load(new Kernel({ engine: 'js' }), ProgType.XDP);
    expect(tierStats.compiled - compiled).toBe(1);
    expect(interp.engineStats.fastEntries).toBe(entries);
    expect(warmUp(interp.execute)).toBe(true);
  });

  it('a program type without BPF_PROG_TEST_RUN gets no test-run warm-up', async () => {
    const { Kernel, ProgType, interp, load } = await fresh();
    const entries = interp.engineStats.fastEntries;
    expect(load(new Kernel(), ProgType.KPROBE)).toBeGreaterThan(0);
    expect(interp.engineStats.fastEntries).toBe(entries);
  });
});
