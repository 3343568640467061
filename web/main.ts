/**
 * The web playground's page: picks or receives a BPF object, shows what web/engine.ts reports
 * about it (through the Web Worker of worker.ts), builds inputs, runs programs, steps through the
 * trace, colours the C lines the runs reached, and keeps the state in a link or a JSON file.
 * Plain DOM, no framework; everything shown is text set through textContent, except the CFG's
 * SVG, which the package generates with every string escaped.
 */
// the page itself needs only the packet tools (`bpfemu/packets`); the emulator lives in the worker's bundle
import { buildPacket, decodePacket, isPcap, readPcap, skbCtx, type PacketLayer, type PacketLayerSpec, type SkbCtxFields } from '../src/packets.js';
import type { AssocStep, ObjectView, ProgramView, RunInput, RunView } from './engine.js';
import type { FromWorker, ToWorker } from './protocol.js';

interface Fixture {
  readonly name: string;
  readonly object: string;
  readonly source: string | null;
}

/** What the share link and the JSON file hold. */
interface SharedState {
  readonly v: 1;
  /** A bundled fixture's name, or null when `object` carries the bytes. */
  readonly fixture: string | null;
  /** The object as base64 when it is not a fixture. */
  readonly object: string | null;
  readonly name: string;
  readonly program: string;
  readonly dataHex: string;
  readonly ctxHex: string;
  readonly knobs: Record<string, string>;
  readonly mapsJson: string;
  readonly trace: boolean;
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Bytes of an even-length hex string (the caller checks the digits). */
function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`page has no #${id}`);
  return e as T;
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls !== undefined) e.className = cls;
  return e;
}

function table(t: HTMLTableElement, head: readonly string[], rows: readonly (readonly (string | Node)[])[]): void {
  t.replaceChildren();
  const tr = el('tr');
  for (const h of head) tr.append(el('th', h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) {
      const td = el('td');
      td.append(c);
      row.append(td);
    }
    t.append(row);
  }
}

// ---------------------------------------------------------------- worker

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (m: FromWorker) => void; progress?: (n: number) => void }>();

function startWorker(): Worker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    const p = pending.get(m.id);
    if (p === undefined) return;
    if (m.kind === 'progress') p.progress?.(m.executed);
    else {
      pending.delete(m.id);
      p.resolve(m);
    }
  };
  return w;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function call(msg: WithoutId<ToWorker>, progress?: (n: number) => void): Promise<FromWorker> {
  worker ??= startWorker();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, progress === undefined ? { resolve } : { resolve, progress });
    worker!.postMessage({ ...msg, id } as ToWorker);
  });
}

/** Stop whatever the worker does: terminate it; the next call starts a new one. */
function stopWorker(): void {
  worker?.terminate();
  worker = null;
  for (const [id, p] of pending) p.resolve({ kind: 'error', id, error: 'STOPPED', message: 'stopped by the user' });
  pending.clear();
}

// ---------------------------------------------------------------- state

let fixtures: Fixture[] = [];
let current: { bytes: Uint8Array; name: string; fixture: string | null; view: ObjectView; source: { file: string; text: string } | null } | null = null;
let lastRun: RunView | null = null;
let traceAt = 0;
/** `file.c:LINE` → times entered, over every run of the current object. */
const coverage = new Map<string, number>();

function showError(text: string | null): void {
  const e = $('error');
  e.hidden = text === null;
  e.textContent = text ?? '';
}

function status(text: string, object = ''): void {
  $('status').textContent = text;
  $('status').dataset.object = object;
}

/** The run's state for scripts and tests: '', 'running', 'done', 'stopped' or 'error'. */
function progress(text: string, state: string): void {
  $('progress').textContent = text;
  $('progress').dataset.state = state;
}

function selectedProgram(): ProgramView | undefined {
  const name = $<HTMLSelectElement>('prog-select').value;
  return current?.view.programs.find((p) => p.name === name);
}

// ---------------------------------------------------------------- loading

async function openBytes(bytes: Uint8Array, name: string, fixture: string | null, restore?: SharedState): Promise<boolean> {
  status(`opening ${name}…`);
  const r = await call({ kind: 'open', bytes, name });
  if (r.kind === 'error') {
    showError(`${name}: ${r.error}: ${r.message}`);
    status(current === null ? 'no object' : `${current.name} (still open)`, current?.name ?? '');
    return false;
  }
  if (r.kind !== 'opened') return false;
  showError(null);
  let source: { file: string; text: string } | null = null;
  const fx = fixtures.find((f) => f.name === fixture);
  if (fx?.source != null) {
    const res = await fetch(`fixtures/${fx.source}`);
    if (res.ok) source = { file: fx.source, text: await res.text() };
  }
  current = { bytes, name, fixture, view: r.view, source };
  coverage.clear();
  lastRun = null;
  renderObject(r.view, restore);
  status(`${name}: ${r.view.programs.length} program(s), ${r.view.maps.length} map(s)${r.view.jsTier ? '' : ' — JS tier unavailable here (CSP), interpreter only'}`, name);
  return true;
}

async function openFixture(name: string, restore?: SharedState): Promise<boolean> {
  const f = fixtures.find((x) => x.name === name);
  if (f === undefined) {
    showError(`no bundled object '${name}'`);
    return false;
  }
  const res = await fetch(`fixtures/${f.object}`);
  if (!res.ok) {
    showError(`fixtures/${f.object}: HTTP ${res.status}`);
    return false;
  }
  $<HTMLSelectElement>('fixture').value = name;
  return openBytes(new Uint8Array(await res.arrayBuffer()), name, name, restore);
}

async function openFile(file: File): Promise<void> {
  $<HTMLSelectElement>('fixture').value = '';
  await openBytes(new Uint8Array(await file.arrayBuffer()), file.name.replace(/\.bpf\.o$|\.o$/, ''), null);
}

// ---------------------------------------------------------------- object views

function renderObject(v: ObjectView, restore?: SharedState): void {
  $('summary').textContent = `${v.name}: ${v.summary}`;
  table($<HTMLTableElement>('programs'), ['program', 'type', 'section', 'insns', 'verifier'], v.programs.map((p) => [p.name, p.type, p.section, String(p.insns), el('span', p.verdict.verdict === 'accepted' ? 'accepted' : `rejected (${p.verdict.errno ?? '?'})`, p.verdict.verdict)]));
  table($<HTMLTableElement>('maps'), ['map', 'type', 'key', 'value', 'max_entries'], v.maps.map((m) => [m.name, m.type, `${m.keySize}${m.keyType !== '' ? ` (${m.keyType})` : ''}`, `${m.valueSize}${m.valueType !== '' ? ` (${m.valueType})` : ''}`, String(m.maxEntries)]));
  const g = $('globals');
  g.replaceChildren();
  for (const s of v.globals) {
    g.append(el('div', `${s.section}${s.readonly ? ' (read-only)' : ''}: ${s.variables.map((x) => `${x.name} = ${JSON.stringify(x.value)}`).join(', ') || '(no variables)'}`));
  }
  if (v.globals.length === 0) g.textContent = 'none';
  const so = $('structops');
  so.replaceChildren();
  for (const s of v.structOps) so.append(el('div', `${s.name}: struct ${s.typeName} { ${s.members.map((m) => (m.program !== null ? `.${m.name} = ${m.program}` : `.${m.name}`)).join(', ')} }`));
  if (v.structOps.length === 0) so.textContent = 'none';
  $('btf').textContent = v.btfC || '(no BTF)';
  table($<HTMLTableElement>('verdicts'), ['program', 'verdict', 'insns processed', 'states', 'peak', 'time (µs)'], v.programs.map((p) => [p.name, el('span', p.verdict.verdict === 'accepted' ? 'accepted' : `rejected: ${p.verdict.errno ?? '?'}${p.verdict.line !== null ? ` at ${p.verdict.line}` : ''}`, p.verdict.verdict), String(p.verdict.insnsProcessed), String(p.verdict.totalStates), String(p.verdict.peakStates), String(p.verdict.timeUs)]));
  const sel = $<HTMLSelectElement>('prog-select');
  sel.replaceChildren(...v.programs.map((p) => el('option', `${p.name} (${p.type})`)));
  v.programs.forEach((p, i) => ((sel.options[i] as HTMLOptionElement).value = p.name));
  const runnable = v.programs.find((p) => p.takesPacket) ?? v.programs[0];
  if (restore !== undefined) sel.value = restore.program;
  else if (runnable !== undefined) sel.value = runnable.name;
  // knobs: the read-only globals
  const knobs = $('knobs');
  knobs.replaceChildren();
  for (const s of v.globals.filter((x) => x.readonly)) {
    for (const x of s.variables) {
      const input = el('input');
      input.dataset.knob = x.name;
      input.value = restore?.knobs[x.name] ?? (typeof x.value === 'string' ? x.value : JSON.stringify(x.value));
      const l = el('label', `${x.name} `);
      l.append(input);
      knobs.append(l, ' ');
    }
  }
  if (knobs.childElementCount === 0) knobs.textContent = 'none';
  $('map-types').textContent = v.maps.map((m) => `${m.name}: ${m.keyType || `${m.keySize}-byte key`} → ${m.valueType || `${m.valueSize}-byte value`}${m.example !== null ? `, e.g. ${JSON.stringify(m.example)}` : ' (hex key and value)'}`).join('; ');
  $<HTMLTextAreaElement>('maps-json').value = restore?.mapsJson ?? '{}';
  $<HTMLTextAreaElement>('ctx-hex').value = restore?.ctxHex ?? '';
  if (restore !== undefined) {
    $<HTMLTextAreaElement>('data-hex').value = restore.dataHex;
    $<HTMLInputElement>('trace-on').checked = restore.trace;
  } else buildPacketHex();
  clearRun();
  renderProgram();
  renderSource();
  void renderSimulators(v);
}

function renderProgram(): void {
  const p = selectedProgram();
  const listing = $('listing');
  listing.replaceChildren();
  $('cfg').replaceChildren();
  if (p === undefined) return;
  const bad = p.verdict.verdict === 'rejected' ? p.verdict.pc : null;
  for (const line of p.listing) {
    const m = /^\s*(\d+):/.exec(line);
    const cls = line.startsWith(';') ? 'src' : /^\S+:$/.test(line) ? 'fn' : m !== null && bad !== null && Number(m[1]) === bad ? 'err-line' : undefined;
    listing.append(el('span', `${line}\n`, cls));
  }
  $('cfg').innerHTML = p.cfgSvg;
  $('verdict').replaceChildren(el('span', p.verdict.verdict === 'accepted' ? `${p.name}: accepted` : `${p.name}: rejected (${p.verdict.errno ?? '?'})${p.verdict.pc !== null ? ` at pc ${p.verdict.pc}` : ''}${p.verdict.line !== null ? `, ${p.verdict.line}: ${p.verdict.lineText ?? ''}` : ''}`, p.verdict.verdict));
  $('verifier-log').textContent = p.verdict.log;
  $('pkt-form').hidden = !p.takesPacket;
  $('skb-form').hidden = !p.skbCtx;
  // other struct ctxs (syscall args, xdp_md, ...): a JSON form typed from BTF
  $('ctx-form').hidden = p.ctx === null || p.ctx.size === 0 || p.skbCtx;
  $('args-form').hidden = p.takesPacket || (p.ctx !== null && p.ctx.size > 0);
  $('pcap-label').hidden = !p.takesPacket;
  $('ctx-legend').textContent = p.ctx === null ? 'ctx fields' : `struct ${p.ctx.struct} (JSON typed from BTF)`;
  $<HTMLTextAreaElement>('ctx-json').value = p.ctx === null ? '' : JSON.stringify(p.ctx.zero);
  renderSource();
}

/** The C source view: the fixture's file in full, or the line-info lines; coverage and the verifier's error line marked. */
function renderSource(): void {
  const root = $('source');
  root.replaceChildren();
  if (current === null) return;
  const v = current.view;
  const p = selectedProgram();
  const errLine = p?.verdict.verdict === 'rejected' ? p.verdict.line : null;
  let reached = 0;
  let total = 0;
  const lineEl = (file: string, no: number, text: string, hasCode: boolean): HTMLElement => {
    const key = `${file}:${no}`;
    const hits = coverage.get(key);
    const e = el('span', undefined, 'line');
    e.dataset.line = key;
    e.append(el('span', String(no), 'no'), el('span', hasCode && hits !== undefined ? `${hits}×` : '', 'cnt'), text);
    // colours once some run counted coverage (before that every line would read "not reached")
    if (hasCode && coverage.size > 0) e.classList.add(hits !== undefined ? 'hit' : 'miss');
    if (hasCode) {
      total++;
      if (hits !== undefined) reached++;
    }
    if (errLine === key) e.classList.add('verr');
    return e;
  };
  for (const [file, lines] of Object.entries(v.sources)) {
    root.append(el('h3', file));
    const withCode = new Set(lines.map((l) => l.line));
    if (current.source !== null && current.source.file === file) {
      current.source.text.split('\n').forEach((t, i) => root.append(lineEl(file, i + 1, t, withCode.has(i + 1))));
    } else {
      for (const l of lines) root.append(lineEl(file, l.line, l.text, true));
    }
  }
  $('cov-summary').textContent = coverage.size > 0 ? `${reached} of ${total} lines with instructions reached` : 'no runs yet';
}

// ---------------------------------------------------------------- input

function buildPacketHex(): void {
  const l3 = $<HTMLSelectElement>('pkt-l3').value;
  const l4 = $<HTMLSelectElement>('pkt-l4').value;
  const val = (id: string): string => $<HTMLInputElement>(id).value.trim();
  const layers: PacketLayerSpec[] = [{ eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } }];
  if (val('pkt-vlan') !== '') layers.push({ vlan: { vid: Number(val('pkt-vlan')) } });
  const src = val('pkt-src');
  const dst = val('pkt-dst');
  layers.push(l3 === 'ipv6' ? { ipv6: { src: src.includes(':') ? src : 'fd00::1', dst: dst.includes(':') ? dst : 'fd00::2' } } : { ipv4: { src, dst } });
  if (l4 === 'tcp') layers.push({ tcp: { sport: Number(val('pkt-sport')), dport: Number(val('pkt-dport')), flags: val('pkt-flags').split(/[\s,|]+/).filter((f) => f !== '') as never } });
  else if (l4 === 'udp') layers.push({ udp: { sport: Number(val('pkt-sport')), dport: Number(val('pkt-dport')) } });
  else layers.push(l3 === 'ipv6' ? { icmpv6: {} } : { icmp: {} });
  if (val('pkt-payload') !== '') layers.push({ payload: val('pkt-payload') });
  try {
    $<HTMLTextAreaElement>('data-hex').value = hexLines(toHex(buildPacket(layers, { minLength: 60 })));
    showError(null);
  } catch (e) {
    showError(`packet builder: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The __sk_buff form (`mark=7 cb=1,2,3`) as ctx_in hex. */
function buildSkbHex(): void {
  const fields: Record<string, number | number[]> = {};
  try {
    for (const kv of $<HTMLInputElement>('skb-fields').value.trim().split(/\s+/).filter((x) => x !== '')) {
      const m = /^([a-z_0-9]+)=(.+)$/.exec(kv);
      if (m === null) throw new Error(`'${kv}' is not name=value`);
      const nums = m[2]!.split(',').map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n)) throw new Error(`${m[1]}: '${x}' is not an integer`);
        return n;
      });
      fields[m[1]!] = m[1] === 'cb' ? nums : nums[0]!;
    }
    $<HTMLTextAreaElement>('ctx-hex').value = hexLines(toHex(skbCtx(fields as SkbCtxFields)));
    showError(null);
  } catch (e) {
    showError(`__sk_buff fields: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The u64 argument list (`0, 59`, hex with 0x) as ctx_in hex, little-endian. */
function buildArgsHex(): void {
  try {
    const args = $<HTMLInputElement>('args').value.split(/[\s,]+/).filter((x) => x !== '');
    const out = new Uint8Array(8 * args.length);
    const dv = new DataView(out.buffer);
    args.forEach((a, i) => {
      let v: bigint;
      try {
        v = a.startsWith('-') ? -BigInt(a.slice(1)) : BigInt(a);
      } catch {
        throw new Error(`'${a}' is not an integer`);
      }
      if (v < -(1n << 63n) || v >= 1n << 64n) throw new Error(`${a} does not fit in 64 bits`);
      dv.setBigUint64(8 * i, BigInt.asUintN(64, v), true);
    });
    $<HTMLTextAreaElement>('ctx-hex').value = hexLines(toHex(out));
    showError(null);
  } catch (e) {
    showError(`u64 arguments: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A .pcap file's packet (1-based index) or a raw file's bytes into the data_in editor. */
async function loadPacketFile(f: File): Promise<void> {
  try {
    const b = new Uint8Array(await f.arrayBuffer());
    let data: Uint8Array = b;
    if (isPcap(b)) {
      const pk = readPcap(b).packets;
      const i = Number($<HTMLInputElement>('pcap-index').value);
      if (!Number.isInteger(i) || i < 1 || i > pk.length) throw new Error(`packet ${$<HTMLInputElement>('pcap-index').value}: the file holds ${pk.length} packet(s)`);
      data = pk[i - 1]!.data;
    }
    $<HTMLTextAreaElement>('data-hex').value = hexLines(toHex(data));
    showError(null);
  } catch (e) {
    showError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The ctx JSON form as ctx_in hex (encoded by the worker from the object's BTF). */
async function buildCtxHex(): Promise<void> {
  const p = selectedProgram();
  if (current === null || p === undefined) return;
  try {
    let json: unknown;
    try {
      json = JSON.parse($<HTMLTextAreaElement>('ctx-json').value);
    } catch (e) {
      throw new Error(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = await call({ kind: 'encode-ctx', bytes: current.bytes, program: p.name, json });
    if (r.kind === 'error') throw new Error(r.message);
    if (r.kind !== 'ctx') return;
    $<HTMLTextAreaElement>('ctx-hex').value = hexLines(toHex(r.ctx));
    showError(null);
  } catch (e) {
    showError(`ctx fields: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function hexLines(hex: string): string {
  return (hex.match(/.{1,32}/g) ?? []).map((l) => l.replace(/(..)(?!$)/g, '$1 ')).join('\n');
}

function parseHexInput(id: string, what: string): Uint8Array | undefined {
  const t = $<HTMLTextAreaElement>(id).value.replace(/\s+/g, '');
  if (t === '') return undefined;
  if (!/^([0-9a-f]{2})+$/i.test(t)) throw new Error(`${what}: not an even number of hex digits`);
  return fromHex(t);
}

function knobValues(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of Array.from(document.querySelectorAll<HTMLInputElement>('#knobs input'))) out[i.dataset.knob!] = i.value;
  return out;
}

// ---------------------------------------------------------------- run

function clearRun(): void {
  lastRun = null;
  traceAt = 0;
  for (const id of ['retval', 'engine', 'diff', 'out-hex', 'ctx-out', 'ctx-out-typed', 'maps-after', 'printk', 'trace-list', 'trace-insn', 'trace-src', 'trace-pos']) $(id).textContent = '';
  progress('', '');
  $('retval').textContent = '–';
  $('out-layers').replaceChildren();
  $('trace-regs').replaceChildren();
  $('fault').hidden = true;
}

async function run(): Promise<void> {
  if (current === null) return;
  const p = selectedProgram();
  if (p === undefined) return;
  let input: RunInput;
  try {
    const dataIn = p.takesPacket ? parseHexInput('data-hex', 'data_in') : undefined;
    const ctxIn = parseHexInput('ctx-hex', 'ctx_in');
    const mapsText = $<HTMLTextAreaElement>('maps-json').value.trim();
    let maps: Record<string, unknown> = {};
    if (mapsText !== '') {
      try {
        maps = JSON.parse(mapsText) as Record<string, unknown>;
      } catch (e) {
        throw new Error(`initial map contents: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (maps === null || typeof maps !== 'object' || Array.isArray(maps)) throw new Error('initial map contents: expected an object {"map name": [entries]}');
    }
    const knobs = knobValues();
    input = { program: p.name, ...(dataIn !== undefined ? { dataIn } : {}), ...(ctxIn !== undefined ? { ctxIn } : {}), knobs, maps, trace: $<HTMLInputElement>('trace-on').checked };
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  showError(null);
  clearRun();
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  const t0 = performance.now();
  progress('running…', 'running');
  let executed = '';
  const timer = setInterval(() => progress(`running… ${executed}${((performance.now() - t0) / 1000).toFixed(1)} s`, 'running'), 250);
  const r = await call({ kind: 'run', bytes: current.bytes, name: current.name, input }, (n) => (executed = `${n.toLocaleString('en')} instructions, `));
  clearInterval(timer);
  $<HTMLButtonElement>('run').disabled = false;
  $<HTMLButtonElement>('stop').disabled = true;
  if (r.kind === 'error') {
    if (r.error === 'STOPPED') progress(`stopped after ${((performance.now() - t0) / 1000).toFixed(1)} s`, 'stopped');
    else {
      progress('', 'error');
      showError(`run: ${r.message}`);
    }
    return;
  }
  if (r.kind !== 'ran') return;
  renderRun(r.run, input);
  progress(`done in ${(performance.now() - t0).toFixed(0)} ms`, 'done');
  updateShare();
}

function layerDiv(l: PacketLayer): HTMLElement {
  const d = el('div', undefined, 'layer');
  d.append(el('b', l.name), ` ${Object.entries(l.fields).map(([k, v]) => `${k}=${v}`).join(' ')}${l.checksumOk === undefined ? '' : l.checksumOk ? ' (checksum ok)' : ' (BAD checksum)'}`);
  return d;
}

function renderRun(r: RunView, input: RunInput): void {
  lastRun = r;
  $('retval').textContent = r.fault !== null ? 'fault' : `${r.retval}${r.retName !== '' ? ` (${r.retName})` : ''}`;
  $('engine').textContent = `— ${r.executed > 0 ? `${r.executed.toLocaleString('en')} instructions, ` : ''}engine: ${r.engine}`;
  const f = $('fault');
  f.hidden = r.fault === null;
  f.textContent = r.fault === null ? '' : `${r.fault.kind} at pc ${r.fault.pc}: ${r.fault.message}`;
  const out = $('out-layers');
  out.replaceChildren(...r.layersOut.map(layerDiv));
  if (r.dataOut === null) out.textContent = input.dataIn === undefined ? '(no packet)' : '(none)';
  $('diff').textContent = r.dataOut === null ? '' : r.diff.length === 0 ? 'identical to the input' : r.diff.join('\n');
  $('out-hex').textContent = r.dataOut === null ? '' : hexLines(r.dataOut);
  $('ctx-out').textContent = r.ctxOut === null ? '(none)' : hexLines(r.ctxOut);
  $('ctx-out-typed').textContent = r.ctxOutTyped === null ? '' : JSON.stringify(r.ctxOutTyped);
  $('ctx-out-typed').hidden = r.ctxOutTyped === null;
  $('maps-after').textContent = Object.entries(r.maps).map(([n, m]) => `${n} (${m.type}): ${m.entries.length === 0 ? '(empty)' : m.entries.map((e) => JSON.stringify(e)).join('\n    ')}`).join('\n');
  $('printk').textContent = r.printk.length === 0 ? '(none)' : r.printk.join('\n');
  for (const [k, n] of r.lineHits) coverage.set(k, (coverage.get(k) ?? 0) + n);
  $('trace-list').textContent = '';
  const lines: string[] = [];
  let last = '';
  for (const s of r.trace.slice(0, 400)) {
    if (s.source !== '' && s.source !== last) lines.push(`; ${s.sourceText} @ ${s.source}`);
    last = s.source;
    lines.push(`${s.program} ${String(s.pc).padStart(4)}: ${s.insn.padEnd(36)}${s.changed.length > 0 ? ` ; ${s.changed.join(' ')}` : ''}`);
  }
  if (r.trace.length > 400) lines.push(`... ${r.trace.length - 400} more steps recorded (step through them above)`);
  if (r.traceTruncated) lines.push(`... the trace keeps the first ${r.trace.length} of ${r.executed} instructions`);
  if (r.trace.length === 0) lines.push('(no trace: run with "record trace" checked)');
  $('trace-list').textContent = lines.join('\n');
  traceAt = 0;
  renderStep();
  renderSource();
}

function renderStep(): void {
  const r = lastRun;
  if (r === null || r.trace.length === 0) return;
  traceAt = Math.max(0, Math.min(traceAt, r.trace.length - 1));
  const s = r.trace[traceAt]!;
  $('trace-pos').textContent = `step ${traceAt + 1} of ${r.trace.length}`;
  $('trace-src').textContent = s.source === '' ? '' : `${s.source}: ${s.sourceText}`;
  $('trace-insn').textContent = `${s.program} pc ${s.pc}: ${s.insn}${s.changed.length > 0 ? `\n  → ${s.changed.join(' ')}` : ''}`;
  // the listing around the step's pc (the kernel keeps 15 characters of a program's name)
  const w = $('trace-window');
  w.replaceChildren();
  const pv = current?.view.programs.find((p) => p.name === s.program) ?? current?.view.programs.find((p) => p.name.startsWith(s.program));
  if (pv !== undefined) {
    const at = pv.listing.findIndex((l) => new RegExp(`^\\s*${s.pc}: `).test(l));
    for (let i = Math.max(0, at - 6); at >= 0 && i < Math.min(pv.listing.length, at + 7); i++) {
      const l = pv.listing[i]!;
      w.append(el('span', `${l}\n`, i === at ? 'cur' : l.startsWith(';') ? 'src' : undefined));
    }
  }
  const changed = new Set(s.changed.map((c) => c.split('=')[0]));
  const t = $<HTMLTableElement>('trace-regs');
  t.replaceChildren();
  const head = el('tr');
  const row = el('tr');
  s.regs.forEach((v, i) => {
    head.append(el('th', `R${i}`));
    row.append(el('td', v, changed.has(`R${i}`) ? 'changed' : undefined));
  });
  t.append(head, row);
}

// ---------------------------------------------------------------- struct_ops demo and simulators

let assocSteps: readonly AssocStep[] = [];
let assocAt = 0;

async function fetchFixture(file: string): Promise<Uint8Array> {
  const res = await fetch(`fixtures/${file}`);
  if (!res.ok) throw new Error(`fixtures/${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function startAssocDemo(): Promise<void> {
  try {
    const r = await call({ kind: 'assoc-demo', bytes: await fetchFixture('struct_ops_demo.bpf.o') });
    if (r.kind === 'error') throw new Error(r.message);
    if (r.kind !== 'assoc') return;
    assocSteps = r.steps;
    assocAt = 0;
    renderAssoc();
  } catch (e) {
    showError(`association demo: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function renderAssoc(): void {
  if (assocSteps.length === 0) return;
  assocAt = Math.max(0, Math.min(assocAt, assocSteps.length - 1));
  const s = assocSteps[assocAt]!;
  $('assoc-pos').textContent = `step ${assocAt + 1} of ${assocSteps.length}`;
  $('assoc-title').textContent = `${assocAt + 1}. ${s.title}: ${s.detail}`;
  table($<HTMLTableElement>('assoc-maps'), ['struct_ops map', 'state', 'refcnt'], s.maps.map((m) => [m.name, m.state, m.refcnt === null ? '' : String(m.refcnt)]));
  table($<HTMLTableElement>('assoc-progs'), ['program', 'association'], s.programs.map((p) => [p.name, p.assoc]));
}

async function renderSimulators(v: ObjectView): Promise<void> {
  const sched = v.structOps.filter((s) => s.typeName === 'sched_ext_ops').map((s) => s.name);
  const tcp = v.structOps.filter((s) => s.typeName === 'tcp_congestion_ops').map((s) => s.name);
  $('sim-sched').hidden = sched.length === 0;
  $('sim-tcp').hidden = tcp.length === 0;
  $('sim-none').hidden = sched.length + tcp.length > 0;
  $('sim-svg').replaceChildren();
  $('sim-summary').textContent = '';
  $<HTMLSelectElement>('sched-ops').replaceChildren(...sched.map((n) => el('option', n)));
  $<HTMLSelectElement>('tcp-ops').replaceChildren(...tcp.map((n) => el('option', n)));
  const wl = $<HTMLTextAreaElement>('sched-workload');
  if (sched.length > 0 && wl.value === '') {
    const res = await fetch('fixtures/sched-ext-workload.json');
    if (res.ok) wl.value = await res.text();
  }
}

async function simulate(kind: 'sched' | 'tcp'): Promise<void> {
  if (current === null) return;
  const num = (id: string): number => {
    const n = Number($<HTMLInputElement>(id).value);
    if (!(n > 0)) throw new Error(`${id}: expected a positive number`);
    return n;
  };
  try {
    $('sim-summary').textContent = 'simulating…';
    let msg: Parameters<typeof call>[0];
    if (kind === 'sched') {
      let workload: unknown;
      try {
        workload = JSON.parse($<HTMLTextAreaElement>('sched-workload').value);
      } catch (e) {
        throw new Error(`workload: ${e instanceof Error ? e.message : String(e)}`);
      }
      msg = { kind: 'sim-sched', bytes: current.bytes, workload, ops: $<HTMLSelectElement>('sched-ops').value, durationNs: num('sched-ms') * 1e6 };
    } else {
      msg = { kind: 'sim-tcp', bytes: current.bytes, ops: $<HTMLSelectElement>('tcp-ops').value, vs: $<HTMLSelectElement>('tcp-vs').value as 'reno', bandwidthBps: num('tcp-bw') * 1e6, rttNs: num('tcp-rtt') * 1e6, durationNs: num('tcp-s') * 1e9 };
    }
    const r = await call(msg);
    if (r.kind === 'error') throw new Error(r.message);
    if (r.kind !== 'sim') return;
    $('sim-summary').textContent = r.summary;
    $('sim-svg').innerHTML = r.svg;
    showError(null);
  } catch (e) {
    $('sim-summary').textContent = '';
    showError(`simulation: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------- sharing

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const t = atob(s);
  const b = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) b[i] = t.charCodeAt(i);
  return b;
}

function currentState(): SharedState | null {
  if (current === null) return null;
  return {
    v: 1,
    fixture: current.fixture,
    object: current.fixture === null ? toBase64(current.bytes) : null,
    name: current.name,
    program: $<HTMLSelectElement>('prog-select').value,
    dataHex: $<HTMLTextAreaElement>('data-hex').value,
    ctxHex: $<HTMLTextAreaElement>('ctx-hex').value,
    knobs: knobValues(),
    mapsJson: $<HTMLTextAreaElement>('maps-json').value,
    trace: $<HTMLInputElement>('trace-on').checked,
  };
}

function updateShare(): void {
  const s = currentState();
  const a = $<HTMLAnchorElement>('share-link');
  if (s === null) return;
  const frag = `#state=${encodeURIComponent(toBase64(new TextEncoder().encode(JSON.stringify(s))))}`;
  a.href = `${location.pathname}${location.search}${frag}`;
  $('share-size').textContent = `${frag.length.toLocaleString('en')} characters`;
}

async function restoreState(s: SharedState): Promise<void> {
  if (s.v !== 1) throw new Error(`state version ${String(s.v)} is not 1`);
  const ok = s.fixture !== null ? await openFixture(s.fixture, s) : s.object !== null ? await openBytes(fromBase64(s.object), s.name, null, s) : false;
  if (ok) updateShare();
}

async function restoreFromFragment(): Promise<boolean> {
  const m = /^#state=(.+)$/.exec(location.hash);
  if (m === null) return false;
  try {
    await restoreState(JSON.parse(new TextDecoder().decode(fromBase64(decodeURIComponent(m[1]!)))) as SharedState);
  } catch (e) {
    showError(`the link's state: ${e instanceof Error ? e.message : String(e)}`);
  }
  return true;
}

// ---------------------------------------------------------------- wiring

function showTab(name: string): void {
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of Array.from(document.querySelectorAll<HTMLElement>('main > section'))) s.hidden = s.id !== `tab-${name}`;
  if (name === 'share') updateShare();
  // a rejected program's instruction and C line in view
  if (name === 'code') document.querySelector('#listing .err-line')?.scrollIntoView({ block: 'center' });
  if (name === 'source') document.querySelector('#source .verr')?.scrollIntoView({ block: 'center' });
}

async function init(): Promise<void> {
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'))) b.addEventListener('click', () => showTab(b.dataset.tab!));
  const sel = $<HTMLSelectElement>('fixture');
  try {
    const res = await fetch('fixtures/index.json');
    fixtures = (await res.json()) as Fixture[];
    for (const f of fixtures) {
      const o = el('option', f.name);
      o.value = f.name;
      sel.append(o);
    }
  } catch (e) {
    showError(`fixtures/index.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  sel.addEventListener('change', () => {
    if (sel.value !== '') void openFixture(sel.value);
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f !== undefined) void openFile(f);
  });
  const drop = $('drop');
  for (const target of [drop, document.body]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const f = (e as DragEvent).dataTransfer?.files[0];
      if (f !== undefined) void openFile(f);
    });
  }
  $<HTMLSelectElement>('prog-select').addEventListener('change', () => {
    renderProgram();
    clearRun();
  });
  $('pkt-build').addEventListener('click', buildPacketHex);
  $('skb-build').addEventListener('click', buildSkbHex);
  $('ctx-build').addEventListener('click', () => void buildCtxHex());
  $('args-build').addEventListener('click', buildArgsHex);
  $<HTMLInputElement>('pcap-file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f !== undefined) void loadPacketFile(f);
  });
  $('run').addEventListener('click', () => void run());
  $('stop').addEventListener('click', stopWorker);
  $('trace-first').addEventListener('click', () => ((traceAt = 0), renderStep()));
  $('trace-prev').addEventListener('click', () => ((traceAt -= 1), renderStep()));
  $('trace-next').addEventListener('click', () => ((traceAt += 1), renderStep()));
  $('trace-last').addEventListener('click', () => ((traceAt = Number.MAX_SAFE_INTEGER), renderStep()));
  $('assoc-start').addEventListener('click', () => void startAssocDemo());
  $('assoc-prev').addEventListener('click', () => ((assocAt -= 1), renderAssoc()));
  $('assoc-next').addEventListener('click', () => ((assocAt += 1), renderAssoc()));
  $('sched-run').addEventListener('click', () => void simulate('sched'));
  $('tcp-run').addEventListener('click', () => void simulate('tcp'));
  $('cov-reset').addEventListener('click', () => {
    coverage.clear();
    renderSource();
  });
  $('download-json').addEventListener('click', () => {
    const s = currentState();
    if (s === null) return;
    const a = el('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(s, null, 1)], { type: 'application/json' }));
    a.download = `${s.name}.bpfemu.json`;
    a.click();
  });
  $<HTMLInputElement>('load-json').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f === undefined) return;
    void f.text().then(async (t) => {
      try {
        await restoreState(JSON.parse(t) as SharedState);
      } catch (x) {
        showError(`${f.name}: ${x instanceof Error ? x.message : String(x)}`);
      }
    });
  });
  if (!(await restoreFromFragment())) {
    const first = fixtures.find((f) => f.name === 'xdp_firewall');
    if (first !== undefined) await openFixture(first.name);
  }
  document.body.dataset.ready = '1';
}

void init();

// the hex editor's tooltip names the layers it decodes to
$('data-hex').addEventListener('input', () => {
  try {
    const b = parseHexInput('data-hex', 'data_in');
    $('data-hex').title = b === undefined ? '' : decodePacket(b).map((l) => l.name).join(' / ');
  } catch {
    $('data-hex').title = 'not hex';
  }
});
