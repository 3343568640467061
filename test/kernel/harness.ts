/** Test harness for kernel-level tests: load assembled programs and struct_ops maps through bpf(). */
import { BtfBuilder } from '../../src/btf/encode.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd, BPF_F_LINK } from '../../src/kernel/syscall/uapi.js';
import { ProgType } from '../../src/object/uapi.js';
import { STRUCT_OPS_DATA_OFF } from '../../src/kernel/structops.js';

export { Cmd, ProgType };

/** A kernel with the test subsystem. */
export function testKernel(): Kernel {
  return new Kernel({ testmod: true });
}

/** BPF_PROG_LOAD of assembled text; returns the fd or -errno. */
export function loadProg(k: Kernel, type: number, text: string, o: { name?: string; attachBtfId?: number; eat?: number; license?: string } = {}): number {
  const insns = assembleBytes(text);
  return k.bpf(Cmd.PROG_LOAD, {
    prog_type: type,
    insn_cnt: insns.length / 8,
    insns,
    license: o.license ?? 'GPL',
    prog_name: o.name ?? '',
    expected_attach_type: o.eat ?? 0,
    attach_btf_id: o.attachBtfId ?? 0,
    // syscall programs must be sleepable (6.18: "Syscall programs can only be sleepable"), as libbpf loads them
    prog_flags: type === 31 ? 1 << 4 : 0,
  });
}

/** A trivial user BTF (struct_ops map creation needs a btf_fd that is not the kernel's). */
export function loadUserBtf(k: Kernel): number {
  const b = new BtfBuilder();
  b.int('int', 4, { signed: true });
  return k.bpf(Cmd.BTF_LOAD, { btf: b.encode(), btf_size: b.encode().length });
}

/** Create a struct_ops map of a registered type. */
export function createStructOpsMap(k: Kernel, typeName: string, o: { link?: boolean; name?: string; btfFd?: number } = {}): number {
  const t = k.structOps.get(typeName)!;
  const btfFd = o.btfFd ?? loadUserBtf(k);
  return k.bpf(Cmd.MAP_CREATE, {
    map_type: 26,
    key_size: 4,
    value_size: t.valueSize,
    max_entries: 1,
    map_flags: o.link === false ? 0 : BPF_F_LINK,
    btf_fd: btfFd,
    btf_vmlinux_value_type_id: t.valueTypeId,
    map_name: o.name ?? '',
  });
}

/** The kernel-side value for an update: program fds in function slots, optional data bytes. */
export function structOpsValue(k: Kernel, typeName: string, slots: Record<string, number>, data: Record<string, Uint8Array> = {}): Uint8Array {
  const t = k.structOps.get(typeName)!;
  const v = new Uint8Array(t.valueSize);
  const dv = new DataView(v.buffer);
  for (const [name, fd] of Object.entries(slots)) {
    const m = t.members.find((x) => x.name === name)!;
    dv.setBigUint64(STRUCT_OPS_DATA_OFF + m.offset, BigInt(fd), true);
  }
  for (const [name, bytes] of Object.entries(data)) {
    const m = t.members.find((x) => x.name === name)!;
    v.set(bytes, STRUCT_OPS_DATA_OFF + m.offset);
  }
  return v;
}

export function mapUpdate(k: Kernel, fd: number, key: Uint8Array, value: Uint8Array, flags = 0): number {
  return k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key, value, flags });
}

export function mapLookup(k: Kernel, fd: number, key: Uint8Array, size: number): { err: number; value: Uint8Array } {
  const value = new Uint8Array(size);
  const err = k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key, value });
  return { err, value };
}

export const KEY0 = new Uint8Array(4);

/** BPF_PROG_TEST_RUN with an optional ctx; returns {err, retval}. */
export function testRun(k: Kernel, fd: number, ctx?: Uint8Array): { err: number; retval: number } {
  const attr: Record<string, number | Uint8Array> = { prog_fd: fd };
  if (ctx !== undefined) {
    attr.ctx_in = ctx;
    attr.ctx_size_in = ctx.length;
  }
  const err = k.bpf(Cmd.PROG_TEST_RUN, attr);
  return { err, retval: (attr.retval as number | undefined) ?? 0 };
}

export function assoc(k: Kernel, progFd: number, mapFd: number, flags = 0): number {
  return k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: mapFd, prog_fd: progFd, flags });
}

/** `common.refcnt` and `common.state` reported by a struct_ops map lookup. */
export function structOpsCommon(k: Kernel, fd: number, typeName: string): { refcnt: number; state: number; value: Uint8Array } {
  const t = k.structOps.get(typeName)!;
  const { err, value } = mapLookup(k, fd, KEY0, t.valueSize);
  if (err !== 0) throw new Error(`lookup failed: ${err}`);
  const dv = new DataView(value.buffer);
  return { refcnt: dv.getUint32(0, true), state: dv.getUint32(4, true), value };
}

/** A syscall program calling a testmod kfunc with args.a = `a` and returning its result. */
export function kfuncCaller(k: Kernel, kfunc: string, a = 0, extraArg?: number): string {
  const id = k.kfuncs.get(kfunc)!.btfId;
  return `
    stdw [r10-8], ${a}
    mov r1, r10
    add r1, -8
    mov r2, ${extraArg ?? 0}
    call kfunc ${id}
    exit`;
}
