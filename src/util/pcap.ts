/**
 * Classic libpcap capture files (not pcapng), read and written.
 *
 * ```
 * file:    magic u32 | version major u16 (2) | minor u16 (4) | thiszone i32 | sigfigs u32
 *          | snaplen u32 | linktype u32                                      (24 bytes)
 * record:  ts_sec u32 | ts_usec or ts_nsec u32 | incl_len u32 | orig_len u32 | incl_len bytes
 * ```
 *
 * The magic, written in the file's byte order, says the byte order and the timestamp unit:
 * 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds. The reader takes both byte orders and both units
 * and gives nanoseconds; the writer writes little-endian files. Bad input is a {@link PcapError}
 * naming the record and offset, never an exception of another kind. No Node-only APIs.
 */
import { BpfemuError } from './errors.js';

/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;

/** A pcap file that cannot be read (`PCAP_MAGIC`: not a classic pcap file; `PCAP_TRUNCATED`: a header or record cut short) or a packet that cannot be written (`PCAP_VALUE`). */
export class PcapError extends BpfemuError<'PCAP_MAGIC' | 'PCAP_TRUNCATED' | 'PCAP_VALUE'> {
  constructor(
    readonly code: 'PCAP_MAGIC' | 'PCAP_TRUNCATED' | 'PCAP_VALUE',
    message: string,
  ) {
    super(message);
  }
}

/** A record's timestamp: seconds and nanoseconds since the epoch. */
export interface PcapTimestamp {
  sec: number;
  nsec: number;
}

/** One captured packet. */
export interface PcapPacket {
  ts: PcapTimestamp;
  /** The captured bytes (incl_len of them). */
  data: Uint8Array;
  /** The packet's length on the wire (at least data.length). */
  origLen: number;
}

/** A read capture file. */
export interface PcapFile {
  linkType: number;
  snapLen: number;
  /** Timestamps were nanoseconds in the file (magic 0xa1b23c4d). */
  nanosecond: boolean;
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  packets: PcapPacket[];
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** Whether `b` starts with a classic pcap magic number (either byte order, either unit). */
export function isPcap(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [MAGIC_US, MAGIC_NS].includes(dv.getUint32(0, true)) || [MAGIC_US, MAGIC_NS].includes(dv.getUint32(0, false));
}

/** Read a classic pcap file. */
export function readPcap(b: Uint8Array): PcapFile {
  if (b.length < 4) throw new PcapError('PCAP_TRUNCATED', `pcap: file header: ${b.length} bytes, a pcap file starts with a 24-byte header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le: boolean;
  if ([MAGIC_US, MAGIC_NS].includes(dv.getUint32(0, true))) le = true;
  else if ([MAGIC_US, MAGIC_NS].includes(dv.getUint32(0, false))) le = false;
  else throw new PcapError('PCAP_MAGIC', `pcap: magic 0x${dv.getUint32(0, false).toString(16).padStart(8, '0')} is not a pcap magic (a1b2c3d4 or a1b23c4d, either byte order; pcapng is not supported)`);
  if (b.length < 24) throw new PcapError('PCAP_TRUNCATED', `pcap: file header: ${b.length} bytes of 24`);
  const nanosecond = dv.getUint32(0, le) === MAGIC_NS;
  const file: PcapFile = {
    linkType: dv.getUint32(20, le) & 0x0fffffff, // the upper bits may carry FCS information
    snapLen: dv.getUint32(16, le),
    nanosecond,
    littleEndian: le,
    versionMajor: dv.getUint16(4, le),
    versionMinor: dv.getUint16(6, le),
    packets: [],
  };
  let o = 24;
  while (o < b.length) {
    const i = file.packets.length;
    if (o + 16 > b.length) throw new PcapError('PCAP_TRUNCATED', `pcap: record ${i} at offset ${o}: header cut short (${b.length - o} bytes of 16)`);
    const sec = dv.getUint32(o, le);
    const frac = dv.getUint32(o + 4, le);
    const incl = dv.getUint32(o + 8, le);
    const orig = dv.getUint32(o + 12, le);
    if (o + 16 + incl > b.length) throw new PcapError('PCAP_TRUNCATED', `pcap: record ${i} at offset ${o}: incl_len ${incl} but ${b.length - o - 16} bytes remain`);
    file.packets.push({ ts: { sec, nsec: nanosecond ? frac : frac * 1000 }, data: b.slice(o + 16, o + 16 + incl), origLen: orig });
    o += 16 + incl;
  }
  return file;
}

/** Options of {@link writePcap}. */
export interface WritePcapOptions {
  /** Default LINKTYPE_ETHERNET. */
  linkType?: number;
  /** Write nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
  nanosecond?: boolean;
  /** Default 262144, tcpdump's. */
  snapLen?: number;
}

/** Write a little-endian classic pcap file. A packet given as bytes gets timestamp 0 and its own length as origLen. */
export function writePcap(packets: readonly (Uint8Array | { data: Uint8Array; ts?: PcapTimestamp; origLen?: number })[], options: WritePcapOptions = {}): Uint8Array {
  const ps = packets.map((p) => (p instanceof Uint8Array ? { data: p } : p));
  const out = new Uint8Array(24 + ps.reduce((n, p) => n + 16 + p.data.length, 0));
  const dv = new DataView(out.buffer);
  const ns = options.nanosecond === true;
  dv.setUint32(0, ns ? MAGIC_NS : MAGIC_US, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, u32('snapLen', options.snapLen ?? 262144), true);
  dv.setUint32(20, u32('linkType', options.linkType ?? LINKTYPE_ETHERNET), true);
  let o = 24;
  ps.forEach((p, i) => {
    const sec = u32(`packet ${i} ts.sec`, p.ts?.sec ?? 0);
    const nsec = p.ts?.nsec ?? 0;
    if (!Number.isInteger(nsec) || nsec < 0 || nsec >= 1e9) throw new PcapError('PCAP_VALUE', `pcap: packet ${i} ts.nsec: ${nsec} is not an integer in [0, 1e9)`);
    const orig = u32(`packet ${i} origLen`, p.origLen ?? p.data.length);
    if (orig < p.data.length) throw new PcapError('PCAP_VALUE', `pcap: packet ${i} origLen ${orig} is less than its ${p.data.length} captured bytes`);
    dv.setUint32(o, sec, true);
    dv.setUint32(o + 4, ns ? nsec : Math.floor(nsec / 1000), true);
    dv.setUint32(o + 8, p.data.length, true);
    dv.setUint32(o + 12, orig, true);
    out.set(p.data, o + 16);
    o += 16 + p.data.length;
  });
  return out;
}

function u32(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new PcapError('PCAP_VALUE', `pcap: ${what}: ${v} is not a u32`);
  return v;
}
