/**
 * bpfemu's side of the verifier differential corpus: {@link emuVerify} loads a
 * {@link VerifierCase} into a fresh emulated kernel exactly as the oracle loads it into Linux
 * (maps created with their names, flags, inner map, key-0 value and freeze; `map_fd N` patched to
 * the real fds; BPF_PROG_LOAD at log level 1; objects through BpfObject with only the named program
 * autoloaded) and returns the verdict in the golden's shape.
 */
import { readFileSync } from 'node:fs';
import { BpfObject } from '../../src/api/object.js';
import { BpfError } from '../../src/api/errors.js';
import { assemble } from '../../src/isa/asm.js';
import { BtfBuilder } from '../../src/btf/encode.js';
import { writeInsns, type RawInsn } from '../../src/isa/insn.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { errnoName } from '../../src/util/errno.js';
import type { KernelVerdict, VerifierCase } from './corpus/types.js';
import type { VerifierResult } from '../../src/verifier/api.js';
import { errorLineOf, insnsProcessedOf } from './oracle.js';

const PROGRAMS = new URL('../../programs/', import.meta.url).pathname;

function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function verdict(ret: number, log: string): KernelVerdict {
  const line = ret < 0 ? errorLineOf(log) : undefined;
  const n = insnsProcessedOf(log);
  return {
    accepted: ret >= 0,
    ...(ret < 0 ? { errno: errnoName(-ret) } : {}),
    ...(line !== undefined ? { errorLine: line } : {}),
    ...(n !== undefined ? { insnsProcessed: n } : {}),
    log,
  };
}

/** Load one case into a fresh emulated kernel; the verdict as a golden would record it. */
export function emuVerify(c: VerifierCase, insns?: readonly RawInsn[]): KernelVerdict {
  const k = new Kernel({ nrCpus: 2 });
  // the CAP_BPF-only profile the oracle recorded under setpriv
  if (c.profile === 'cap_bpf') k.verifierPrivileged = false;
  // the unprivileged user the oracle ran as (no capabilities)
  if (c.profile === 'none') k.verifierPrivileged = 'none';
  // neither profile has CAP_SYS_BOOT
  if (c.profile !== undefined) k.verifierCapSysBoot = false;
  if (c.object !== undefined) return objectVerdict(k, c);
  const fds: number[] = [];
  for (const m of c.maps ?? []) {
    // a BTF for key and value, loaded as the oracle loads it (BPF_BTF_LOAD) and closed after the create
    const btfFd = m.btf === undefined ? -1 : k.bpf(Cmd.BTF_LOAD, { btf: hexBytes(m.btf.hex), btf_size: m.btf.hex.length / 2 });
    if (m.btf !== undefined && btfFd < 0) throw new Error(`case ${c.name}: map BTF load failed: ${errnoName(-btfFd)}`);
    const fd = k.bpf(Cmd.MAP_CREATE, {
      map_type: m.type,
      key_size: m.keySize,
      value_size: m.valueSize,
      max_entries: m.maxEntries,
      map_flags: m.flags ?? 0,
      ...(m.name !== undefined ? { map_name: m.name } : {}),
      ...(m.inner !== undefined ? { inner_map_fd: fds[m.inner]! } : {}),
      ...(m.btf !== undefined ? { btf_fd: btfFd, btf_key_type_id: m.btf.keyTypeId, btf_value_type_id: m.btf.valueTypeId } : {}),
    });
    if (btfFd >= 0) k.close(btfFd);
    if (fd < 0) throw new Error(`case ${c.name}: map create failed: ${errnoName(-fd)}`);
    if (m.init !== undefined && m.init !== '') {
      const r = k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: new Uint8Array(m.keySize), value: hexBytes(m.init), flags: 0 });
      if (r < 0) throw new Error(`case ${c.name}: map init failed: ${errnoName(-r)}`);
    }
    if (m.freeze === true) k.bpf(Cmd.MAP_FREEZE, { map_fd: fd });
    fds.push(fd);
  }
  const code = (insns ?? assemble(c.asm!)).map((i) => ({ ...i }));
  for (let pc = 0; pc < code.length; pc++) {
    const i = code[pc]!;
    if (i.code === 0x18 && (i.src === 1 || i.src === 2)) i.imm = i.imm >= 0 && i.imm < fds.length ? fds[i.imm]! : -1;
    if (i.code === 0x18) pc++;
  }
  let attachBtfId = 0;
  if (c.attachBtf !== undefined && c.attachBtf !== '') {
    // libbpf's names: tp_btf -> btf_trace_<tp>, iter -> bpf_iter_<target>, lsm -> bpf_lsm_<hook>
    const at = c.attachType ?? 0;
    const name = at === 23 ? `btf_trace_${c.attachBtf}` : at === 28 ? `bpf_iter_${c.attachBtf}` : c.progType === 29 ? `bpf_lsm_${c.attachBtf}` : c.attachBtf;
    const t = k.vmlinuxBtf.findByName(name)[0];
    attachBtfId = t?.id ?? 0;
  }
  const funcInfo = c.btfFuncs === true ? funcBtf(k, code) : undefined;
  const attr = {
    ...(funcInfo ?? {}),
    prog_type: c.progType,
    expected_attach_type: c.attachType ?? 0,
    prog_flags: c.progFlags ?? 0,
    insn_cnt: code.length,
    insns: writeInsns(code),
    license: c.license ?? 'GPL',
    log_level: 1,
    ...(attachBtfId !== 0 ? { attach_btf_id: attachBtfId } : {}),
  };
  // Level 1 without a buffer (valid on 6.18): the verifier's log is read from the kernel object;
  // a refusal before the verifier ran is loaded once more with a buffer for its message.
  k.lastVerifierResult = null;
  const ret = k.bpf(Cmd.PROG_LOAD, attr);
  const vr = k.lastVerifierResult as VerifierResult | null;
  if (vr !== null) return verdict(ret, vr.ok ? vr.log : vr.error.log);
  const log = new Uint8Array(1 << 16);
  k.bpf(Cmd.PROG_LOAD, { ...attr, log_buf: log, log_size: log.length });
  const end = log.indexOf(0);
  return verdict(ret, new TextDecoder().decode(log.subarray(0, end < 0 ? log.length : end)));
}

/**
 * `btfFuncs`, as the oracle builds it: a program BTF with `int main(void)` (global) and `int
 * fN(void)` (static) at instruction 0 and at every bpf-to-bpf call and `lddw code` target, loaded
 * with BPF_BTF_LOAD, and the PROG_LOAD attributes naming it.
 */
function funcBtf(k: Kernel, code: readonly RawInsn[]): Record<string, number | Uint8Array> {
  const starts = new Set<number>(code.length > 0 ? [0] : []);
  code.forEach((i, pc) => {
    const t = pc + i.imm + 1;
    if (((i.code === 0x85 && i.src === 1) || (i.code === 0x18 && i.src === 4)) && t >= 0 && t < code.length) starts.add(t);
  });
  const b = new BtfBuilder();
  const proto = b.funcProto(b.int('int', 4, { signed: true }), []);
  const sorted = [...starts].sort((x, y) => x - y);
  const recs = new Uint8Array(sorted.length * 8);
  const dv = new DataView(recs.buffer);
  sorted.forEach((pc, n) => {
    const id = b.func(n === 0 ? 'main' : `f${n}`, proto, n === 0 ? 'global' : 'static');
    dv.setUint32(n * 8, pc, true);
    dv.setUint32(n * 8 + 4, id, true);
  });
  const bytes = b.encode();
  const fd = k.bpf(Cmd.BTF_LOAD, { btf: bytes, btf_size: bytes.length });
  if (fd < 0) throw new Error(`program BTF could not be loaded: ${errnoName(-fd)}`);
  return { prog_btf_fd: fd, func_info: recs, func_info_rec_size: 8, func_info_cnt: sorted.length };
}

function objectVerdict(k: Kernel, c: VerifierCase): KernelVerdict {
  const bytes = readFileSync(`${PROGRAMS}${c.object!.file}`);
  const obj = BpfObject.open(bytes, { kernel: k });
  for (const p of obj.programs) p.autoload = p.name === c.object!.prog;
  try {
    obj.load();
  } catch (e) {
    const vr = k.lastVerifierResult;
    if (vr !== null && !vr.ok) return verdict(-vr.error.errno, vr.error.log);
    // refused before the verifier ran (a kfunc the program type may not call): the load's message is the log
    if (e instanceof BpfError) {
      const text = e.message.replace(/^prog '[^']*': BPF program load failed\n?/, '').replace(/: [A-Z0-9]+$/, '');
      return verdict(-e.errno, text);
    }
    throw e;
  }
  const vr = k.lastVerifierResult;
  return verdict(0, vr !== null && vr.ok ? vr.log : '');
}
