/**
 * `bpfemu run --data-in capture.pcap`: when the data-in file is a classic pcap file (by its magic),
 * each packet is test-run in turn (the same program, maps kept between packets, as consecutive
 * packets on one device). Text output is one line per packet (index, retval and, for XDP and tc
 * programs, its action name, data_out length); `--json` prints one JSON array with an object per
 * packet; `--data-out FILE` writes every packet's data_out, whatever the verdict, as a pcap file
 * with the input's timestamps.
 */
import type { BpfProgram } from '../api/object.js';
import { TcAct, XdpAction } from '../api/constants.js';
import { BpfemuError } from '../util/errors.js';
import { toHex } from '../util/bytes.js';
import { readPcap, writePcap, LINKTYPE_ETHERNET, type PcapPacket } from '../util/pcap.js';
import { ProgType } from '../object/uapi.js';
import type { Io } from './io.js';
import { CliError } from './registry.js';

/** Options shared with the single-packet run. */
export interface PcapRunOptions {
  ctxIn?: Uint8Array;
  ctxSizeOut?: number;
  repeat?: number;
  cpu?: number;
  dataOut?: string;
  ctxOut?: string;
  json: boolean;
}

/** The name of a verdict for XDP (XDP_*) and tc (TC_ACT_*) programs, else undefined. */
export function verdictName(progType: number, retval: number): string | undefined {
  const find = (table: Readonly<Record<string, number>>, prefix: string, v: number): string | undefined => {
    const e = Object.entries(table).find(([, x]) => x === v);
    return e === undefined ? undefined : `${prefix}${e[0]}`;
  };
  if (progType === ProgType.XDP) return find(XdpAction, 'XDP_', retval);
  if (progType === ProgType.SCHED_CLS || progType === ProgType.SCHED_ACT) return find(TcAct, 'TC_ACT_', retval | 0);
  return undefined;
}

/** Run `prog` on every packet of the pcap file `bytes` (named `path` in messages). */
export function runPcap(prog: BpfProgram, bytes: Uint8Array, path: string, o: PcapRunOptions, io: Io): void {
  let file;
  try {
    file = readPcap(bytes);
  } catch (e) {
    throw e instanceof BpfemuError ? new CliError('USAGE', `--data-in ${path}: ${e.message}`, { cause: e }) : e;
  }
  if (file.linkType !== LINKTYPE_ETHERNET) throw new CliError('USAGE', `--data-in ${path}: link type ${file.linkType}, only LINKTYPE_ETHERNET (1) is supported`);
  if (o.ctxOut !== undefined) throw new CliError('USAGE', `--ctx-out does not apply to a pcap --data-in (${file.packets.length} packets); use --json`);
  const outPackets: PcapPacket[] = [];
  const results: object[] = [];
  file.packets.forEach((p, i) => {
    let r;
    try {
      r = prog.testRun({
        dataIn: p.data,
        ...(o.ctxIn !== undefined ? { ctxIn: o.ctxIn } : {}),
        ...(o.ctxSizeOut !== undefined ? { ctxSizeOut: o.ctxSizeOut } : {}),
        ...(o.repeat !== undefined ? { repeat: o.repeat } : {}),
        ...(o.cpu !== undefined ? { cpu: o.cpu, flags: 1 } : {}),
      });
    } catch (e) {
      throw e instanceof BpfemuError ? e.wrap(`${path}: packet ${i}`) : e;
    }
    const name = verdictName(prog.type, r.retval);
    if (r.dataOut !== null) outPackets.push({ ts: p.ts, data: r.dataOut, origLen: r.dataOut.length });
    if (o.json) {
      results.push({ index: i, retval: r.retval, ...(name !== undefined ? { action: name } : {}), dataOut: r.dataOut === null ? null : toHex(r.dataOut), ctxOut: r.ctxOut === null ? null : toHex(r.ctxOut), durationNs: r.durationNs });
    } else {
      io.out(`${i}: ${r.retval}${name !== undefined ? ` ${name}` : ''}${r.dataOut !== null ? ` len ${r.dataOut.length}` : ''}\n`);
    }
  });
  if (o.dataOut !== undefined) io.writeFile(o.dataOut, writePcap(outPackets, { nanosecond: file.nanosecond, snapLen: Math.max(file.snapLen, 65535) }));
  if (o.json) io.out(`${JSON.stringify(results)}\n`);
}
