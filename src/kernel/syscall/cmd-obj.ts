/**
 * Object commands: BPF_*_GET_FD_BY_ID, BPF_*_GET_NEXT_ID, BPF_OBJ_GET_INFO_BY_FD and BPF_BTF_LOAD
 * (kernel/bpf/syscall.c). Info structs follow include/uapi/linux/bpf.h: struct bpf_prog_info
 * (232 bytes), bpf_map_info (104), bpf_btf_info (32), bpf_link_info (64).
 */
import { parseBtf } from '../../btf/parse.js';
import { BtfError } from '../../btf/errors.js';
import { writeInsns } from '../../isa/insn.js';
import { ERRNO } from '../../util/errno.js';
import type { Attr } from './attr.js';
import type { Kernel } from '../kernel.js';
import { KBtf, type KLink, type KMap, type KProg } from '../objects/objects.js';
import { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_TOKEN_FD, LinkType } from './uapi.js';

const { EINVAL, ENOENT, EFAULT, E2BIG, EBADFD, ENOSPC } = ERRNO;

/** bpf_get_file_flag: RDONLY and WRONLY together are invalid. */
function fileFlags(flags: number): number {
  if ((flags & BPF_F_RDONLY) !== 0 && (flags & BPF_F_WRONLY) !== 0) return -EINVAL;
  return flags & (BPF_F_RDONLY | BPF_F_WRONLY);
}

/** BPF_PROG_GET_FD_BY_ID. */
export function progGetFdById(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(4)) return -EINVAL;
  const id = a.u32(0);
  const p = id === 0 ? undefined : k.progIds.find(id);
  if (p === undefined || p.refcnt === 0) return -ENOENT;
  k.progInc(p);
  return k.newFd({ kind: 'prog', obj: p });
}

/** BPF_MAP_GET_FD_BY_ID (takes refcnt and usercnt, as __bpf_map_inc_not_zero(map, true)). */
export function mapGetFdById(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(12)) return -EINVAL;
  const open = a.u32(8);
  if ((open & ~(BPF_F_RDONLY | BPF_F_WRONLY)) !== 0) return -EINVAL;
  const f = fileFlags(open);
  if (f < 0) return f;
  const id = a.u32(0);
  const m = id === 0 ? undefined : k.mapIds.find(id);
  if (m === undefined || m.refcnt === 0) return -ENOENT;
  k.mapIncWithUref(m);
  return k.newFd({ kind: 'map', obj: m, flags: f });
}

/** BPF_LINK_GET_FD_BY_ID. */
export function linkGetFdById(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(4)) return -EINVAL;
  const id = a.u32(0);
  const l = id === 0 ? undefined : k.linkIds.find(id);
  if (l === undefined || l.refcnt === 0) return -ENOENT;
  l.refcnt++;
  return k.newFd({ kind: 'link', obj: l });
}

/** BPF_BTF_GET_FD_BY_ID. */
export function btfGetFdById(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(16)) return -EINVAL;
  if ((a.u32(8) & ~BPF_F_TOKEN_FD) !== 0) return -EINVAL;
  if ((a.u32(8) & BPF_F_TOKEN_FD) !== 0) return -EINVAL; // tokens are not emulated
  const id = a.u32(0);
  const b = id === k.vmlinux.id ? k.vmlinux : id === 0 ? undefined : k.btfIds.find(id);
  if (b === undefined) return -ENOENT;
  b.refcnt++;
  return k.newFd({ kind: 'btf', obj: b });
}

/** BPF_{PROG,MAP,LINK,BTF}_GET_NEXT_ID. */
export function getNextId(which: 'prog' | 'map' | 'link' | 'btf'): (k: Kernel, a: Attr) => number {
  return (k, a) => {
    if (!a.zeroFrom(8)) return -EINVAL;
    const start = a.u32(0);
    if (start >= 0x7fffffff) return -EINVAL;
    const alloc = which === 'prog' ? k.progIds : which === 'map' ? k.mapIds : which === 'link' ? k.linkIds : k.btfIds;
    if (which === 'btf') k.reserveVmlinuxId(); // make sure vmlinux has its id
    const next = alloc.nextAfter(start);
    if (next === undefined) return -ENOENT;
    a.setU32(4, next);
    return 0;
  };
}

/** Kernel's bpf_check_uarg_tail_zero for the info struct: E2BIG when user bytes beyond ours are non-zero. */
function infoBuffer(k: Kernel, a: Attr, size: number): { buf: Uint8Array; len: number; addr: number } | number {
  const len = a.u32(4);
  const addr = a.addr(8);
  if (len > 4096) return -E2BIG;
  const user = k.user.read(addr, len);
  if (user === null) return -EFAULT;
  for (let i = size; i < len; i++) if (user[i] !== 0) return -E2BIG;
  const buf = new Uint8Array(size);
  buf.set(user.subarray(0, Math.min(len, size)));
  return { buf, len: Math.min(len, size), addr };
}

function nameBytes(name: string): Uint8Array {
  const b = new Uint8Array(16);
  b.set(new TextEncoder().encode(name).subarray(0, 15));
  return b;
}

/** Copy an array into a user buffer advertised by (count field, pointer field); returns false on EFAULT. */
function copyArray(k: Kernel, dv: DataView, cntOff: number, ptrOff: number, items: Uint8Array, itemSize: number, total: number): boolean {
  const ulen = dv.getUint32(cntOff, true);
  dv.setUint32(cntOff, total, true);
  const n = Math.min(ulen, total);
  if (n === 0) return true;
  const ptr = Number(dv.getBigUint64(ptrOff, true));
  return k.user.write(ptr, items.subarray(0, n * itemSize));
}

function progInfo(k: Kernel, p: KProg, buf: Uint8Array): number {
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, p.type, true);
  dv.setUint32(4, p.id, true);
  buf.set(p.tag, 8);
  dv.setBigUint64(40, p.loadTime, true);
  dv.setUint32(48, k.currentTask().uid, true);
  const ids = new Uint8Array(p.usedMaps.length * 4);
  p.usedMaps.forEach((m, i) => new DataView(ids.buffer).setUint32(i * 4, m.id, true));
  if (!copyArray(k, dv, 52, 56, ids, 4, p.usedMaps.length)) return -EFAULT;
  buf.set(nameBytes(p.name), 64);
  dv.setUint32(84, p.gplCompatible ? 1 : 0, true);
  // set_info_rec_size
  const fiRec = dv.getUint32(132, true);
  const liRec = dv.getUint32(172, true);
  const jliRec = dv.getUint32(176, true);
  if ((dv.getUint32(144, true) !== 0 || fiRec !== 0) && fiRec !== 8) return -EINVAL;
  if ((dv.getUint32(148, true) !== 0 || liRec !== 0) && liRec !== 16) return -EINVAL;
  if ((dv.getUint32(168, true) !== 0 || jliRec !== 0) && jliRec !== 8) return -EINVAL;
  dv.setUint32(132, 8, true);
  dv.setUint32(172, 16, true);
  dv.setUint32(176, 8, true);
  dv.setBigUint64(192, p.runTimeNs, true);
  dv.setBigUint64(200, p.runCnt, true);
  dv.setUint32(216, p.insns.length, true);
  if (p.btf !== null) dv.setUint32(128, p.btf.id, true);
  // xlated program (map fds shown as ids); no JIT: jited_prog_len stays 0.
  const xl = writeInsns(p.insns, true);
  const ulen = dv.getUint32(20, true);
  dv.setUint32(20, xl.length, true);
  if (ulen !== 0 && !k.user.write(Number(dv.getBigUint64(32, true)), xl.subarray(0, Math.min(ulen, xl.length)))) return -EFAULT;
  dv.setUint32(16, 0, true);
  const fi = new Uint8Array(p.funcInfo.length * 8);
  p.funcInfo.forEach((f, i) => {
    const d = new DataView(fi.buffer);
    d.setUint32(i * 8, f.insnOff, true);
    d.setUint32(i * 8 + 4, f.typeId, true);
  });
  if (!copyArray(k, dv, 144, 136, fi, 8, p.funcInfo.length)) return -EFAULT;
  const li = new Uint8Array(p.lineInfo.length * 16);
  p.lineInfo.forEach((l, i) => {
    const d = new DataView(li.buffer);
    d.setUint32(i * 16, l.insnOff, true);
    d.setUint32(i * 16 + 4, l.fileNameOff, true);
    d.setUint32(i * 16 + 8, l.lineOff, true);
    d.setUint32(i * 16 + 12, l.lineCol, true);
  });
  if (!copyArray(k, dv, 148, 152, li, 16, p.lineInfo.length)) return -EFAULT;
  dv.setUint32(168, 0, true); // no JIT line info
  if (!copyArray(k, dv, 180, 184, p.tag, 8, 1)) return -EFAULT;
  dv.setUint32(224, p.attachBtfId, true);
  if (p.attachBtf !== null) dv.setUint32(220, p.attachBtf.id, true);
  return 0;
}

function mapInfo(k: Kernel, m: KMap, buf: Uint8Array): number {
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, m.type, true);
  dv.setUint32(4, m.id, true);
  dv.setUint32(8, m.keySize, true);
  dv.setUint32(12, m.valueSize, true);
  dv.setUint32(16, m.maxEntries, true);
  dv.setUint32(20, m.flags, true);
  buf.set(nameBytes(m.name), 24);
  dv.setUint32(44, m.btfVmlinuxValueTypeId, true);
  if (m.btf !== null) {
    dv.setUint32(64, m.btf.id, true);
    dv.setUint32(68, m.btfKeyTypeId, true);
    dv.setUint32(72, m.btfValueTypeId, true);
  }
  if (m.btfVmlinuxValueTypeId !== 0) dv.setUint32(76, k.vmlinux.id, true); // bpf_map_struct_ops_info_fill
  dv.setBigUint64(80, m.mapExtra, true);
  if (dv.getBigUint64(88, true) !== 0n) return -EINVAL; // map_get_hash is not emulated
  if (dv.getUint32(96, true) !== 0) return -EINVAL;
  return 0;
}

function btfInfo(k: Kernel, b: KBtf, buf: Uint8Array): number {
  const dv = new DataView(buf.buffer);
  const ulen = dv.getUint32(8, true);
  const uptr = Number(dv.getBigUint64(0, true));
  dv.setUint32(8, b.raw.length, true);
  dv.setUint32(12, b.id, true);
  if (ulen !== 0 && uptr !== 0) {
    if (ulen < b.raw.length) return -ENOSPC;
    if (!k.user.write(uptr, b.raw)) return -EFAULT;
  }
  const nameLen = dv.getUint32(24, true);
  const namePtr = Number(dv.getBigUint64(16, true));
  const name = new TextEncoder().encode(b.kernel ? b.name : '');
  dv.setUint32(24, name.length + 1, true);
  if (namePtr !== 0 && nameLen !== 0) {
    if (nameLen < name.length + 1) return -ENOSPC;
    const z = new Uint8Array(name.length + 1);
    z.set(name);
    if (!k.user.write(namePtr, z)) return -EFAULT;
  }
  dv.setUint32(28, b.kernel ? 1 : 0, true);
  return 0;
}

function linkInfo(l: KLink, buf: Uint8Array): number {
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, l.type, true);
  dv.setUint32(4, l.id, true);
  if (l.prog !== null) dv.setUint32(8, l.prog.id, true);
  if (l.type === LinkType.STRUCT_OPS) dv.setUint32(16, l.map?.id ?? 0, true);
  else if (l.type === LinkType.TRACING || l.type === LinkType.RAW_TRACEPOINT) dv.setUint32(16, l.attachType, true);
  return 0;
}

/** BPF_OBJ_GET_INFO_BY_FD. A closed fd gives EBADFD (77), as the kernel does. */
export function objGetInfoByFd(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(16)) return -EINVAL;
  const e = k.fds.get(a.u32(0));
  if (e === undefined) return -EBADFD;
  const size = e.kind === 'prog' ? 232 : e.kind === 'map' ? 104 : e.kind === 'btf' ? 32 : e.kind === 'link' ? 64 : 0;
  if (size === 0) return -EINVAL;
  const ib = infoBuffer(k, a, size);
  if (typeof ib === 'number') return ib;
  const r = e.kind === 'prog' ? progInfo(k, e.obj, ib.buf) : e.kind === 'map' ? mapInfo(k, e.obj, ib.buf) : e.kind === 'btf' ? btfInfo(k, e.obj, ib.buf) : linkInfo((e as { obj: KLink }).obj, ib.buf);
  if (r < 0) return r;
  if (!k.user.write(ib.addr, ib.buf.subarray(0, ib.len))) return -EFAULT;
  a.setU32(4, ib.len);
  return 0;
}

/** enum bpf_stats_type: BPF_STATS_RUN_TIME. */
const BPF_STATS_RUN_TIME = 0;

/** BPF_ENABLE_STATS: an fd that keeps run-time statistics on while it is open (bpf_enable_stats). */
export function enableStats(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(4)) return -EINVAL;
  if (a.u32(0) !== BPF_STATS_RUN_TIME) return -EINVAL;
  return k.openStatsFd();
}

/** BPF_BTF_LOAD: parse and keep a BTF blob; errors in the blob give EINVAL (with a log line if asked). */
export function btfLoad(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(40)) return -EINVAL;
  const flags = a.u32(32);
  if ((flags & ~BPF_F_TOKEN_FD) !== 0) return -EINVAL;
  if ((flags & BPF_F_TOKEN_FD) !== 0) return -EINVAL; // tokens are not emulated
  const size = a.u32(16);
  if (size > 16 * 1024 * 1024) return -E2BIG;
  const bytes = k.user.read(a.addr(0), size);
  if (bytes === null) return -EFAULT;
  let btf;
  try {
    btf = parseBtf(bytes.slice());
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
    const logSize = a.u32(20);
    const logBuf = a.addr(8);
    if (a.u32(24) !== 0 && logBuf !== 0 && logSize > 0) {
      const msg = new TextEncoder().encode(`${e.message}\n`);
      const out = new Uint8Array(Math.min(logSize, msg.length + 1));
      out.set(msg.subarray(0, out.length - 1));
      k.user.write(logBuf, out);
      a.setU32(28, msg.length + 1);
    }
    return -EINVAL;
  }
  const kb = new KBtf(btf, bytes.slice(), '', false);
  kb.id = k.btfIds.alloc(kb);
  return k.newFd({ kind: 'btf', obj: kb });
}
