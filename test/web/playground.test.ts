/**
 * The web playground (web/) end to end in a real browser: Debian's chromium driven by
 * playwright-core (no browser download), against `npm run build:web`'s static files served by
 * web/serve.mjs. Loads a fixture, runs it, checks the verdict, the output packet, a map value, the
 * trace, the coverage colours; a rejected program's error line; knobs, a malformed file, the share
 * link, stopping a run, and the page under a strict content-security policy (the JavaScript tier
 * falls back to the interpreter). Expected values come from programs/xdp_firewall.bpf.c's header
 * comment and from the object's own listing. Screenshots go to test-artifacts/web/.
 * Skipped, saying why, when /usr/bin/chromium is not installed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-artifacts/web/`;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`test/web/playground.test.ts: SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`);

const suite = haveChromium ? describe : describe.skip;
if (!haveChromium) it.skip(`web playground in a browser: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`, () => {});

suite('web playground in headless chromium', () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: `${ROOT}web/vite.config.ts`, logLevel: 'error' });
    // @ts-expect-error web/serve.mjs is plain JavaScript (typed by JSDoc)
    const { serve } = (await import('../../web/serve.mjs')) as { serve: (o: { port: number }) => Promise<{ url: string; close: () => Promise<void> }> };
    server = await serve({ port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // a content-security-policy violation (an inline style in an injected SVG, an eval) is a console error
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(server.url + path);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    return { page, errors };
  }

  async function runAndWait(page: Page): Promise<void> {
    await page.click('[data-tab=run]');
    await page.click('#run');
    // (selectors only: under the strict CSP, string predicates would need eval)
    await page.waitForSelector('#progress[data-state=done], #progress[data-state=error]', { state: 'attached', timeout: 30_000 });
  }

  it('loads xdp_firewall, runs a TCP SYN to port 22: verdict, output packet, maps, trace, coverage', async () => {
    const { page, errors } = await open();
    expect(await page.inputValue('#fixture')).toBe('xdp_firewall');
    expect(await page.textContent('#programs')).toContain('xdp_firewall');
    expect(await page.textContent('#programs')).toContain('accepted');
    expect(await page.textContent('#maps')).toContain('proto_stats');
    expect(await page.inputValue('[data-knob=blocked_tcp_port]')).toBe('22');
    // inputs offered for an XDP program: the packet builder and the xdp_md form, not the __sk_buff one
    await page.click('[data-tab=run]');
    expect(await page.isVisible('#pkt-form')).toBe(true);
    expect(await page.isVisible('#skb-form')).toBe(false);
    expect(await page.textContent('#ctx-legend')).toBe('struct xdp_md (JSON typed from BTF)');
    expect(await page.textContent('#map-types')).toContain('proto_stats: u32 → struct counter, e.g. {"key":0,"value":{"packets":0,"bytes":0}}');
    await page.click('[data-tab=object]');
    await page.screenshot({ path: `${SHOTS}object.png` });
    await runAndWait(page);
    expect(await page.isHidden('#error')).toBe(true);
    // the header comment: TCP to port 22 is dropped, drop_stats[1] = 1, proto_stats[0] = {1, 60}
    expect(await page.textContent('#retval')).toBe('1 (XDP_DROP)');
    const out = await page.textContent('#out-layers');
    expect(out).toContain('ipv4');
    expect(out).toContain('dest=22');
    expect(await page.textContent('#diff')).toBe('identical to the input');
    const maps = (await page.textContent('#maps-after'))!;
    expect(maps).toContain('{"key":1,"value":1}');
    expect(maps).toContain('{"key":0,"value":{"packets":1,"bytes":60}}');
    await page.screenshot({ path: `${SHOTS}run.png` });
    // the trace: its first instruction is pc 0 of the listing, r1 is the ctx and r10 the frame
    await page.click('[data-tab=code]');
    const listing = (await page.textContent('#listing'))!.split('\n');
    const pc0 = listing.find((l) => /^\s*0: /.test(l))!.replace(/^\s*0: /, '').trim();
    await page.click('[data-tab=cfg]');
    // the CFG: one <g> per basic block, the first holding pc 0
    expect(await page.locator('#cfg svg g').count()).toBeGreaterThan(5);
    expect(await page.textContent('#cfg svg g#b0')).toContain(`0: ${pc0}`);
    await page.click('[data-tab=trace]');
    const trace = (await page.textContent('#trace-list'))!.split('\n');
    expect(trace[0]).toMatch(/^; .* @ xdp_firewall\.bpf\.c:\d+$/);
    expect(trace[1]).toMatch(new RegExp(`^xdp_firewall +0: ${pc0.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(await page.textContent('#trace-pos')).toBe('step 1 of 69');
    const regs = await page.locator('#trace-regs td').allTextContents();
    expect(regs[1]).toBe('ctx+0');
    expect(regs[10]).toBe('fp0');
    await page.click('#trace-next');
    await page.click('#trace-next');
    await page.click('#trace-prev');
    expect(await page.textContent('#trace-pos')).toBe('step 2 of 69');
    // the listing window around step 2's pc, that pc highlighted
    const cur = (await page.textContent('#trace-window .cur'))!;
    expect(cur).toMatch(new RegExp(`^\\s*${(await page.textContent('#trace-insn'))!.match(/pc (\d+)/)![1]}: `));
    await page.click('#trace-last');
    expect(await page.textContent('#trace-pos')).toBe('step 69 of 69');
    expect(await page.textContent('#trace-insn')).toContain('exit');
    // coverage: the port check ran, the blocklist hit and the IPv6 branch did not
    await page.click('[data-tab=source]');
    const hit = await page.locator('#source .line.hit').allTextContents();
    const miss = await page.locator('#source .line.miss').allTextContents();
    expect(hit.length).toBeGreaterThan(5);
    expect(miss.length).toBeGreaterThan(0);
    expect(await page.getAttribute('#source [data-line="xdp_firewall.bpf.c:144"]', 'class')).toBe('line hit');
    expect(await page.getAttribute('#source [data-line="xdp_firewall.bpf.c:141"]', 'class')).toBe('line miss');
    expect(await page.getAttribute('#source [data-line="xdp_firewall.bpf.c:158"]', 'class')).toBe('line miss');
    expect(await page.getAttribute('#source [data-line="xdp_firewall.bpf.c:143"]', 'class')).toBe('line');
    expect(hit.some((l) => l.includes('if (ip->protocol == IPPROTO_TCP &&'))).toBe(true);
    expect(await page.textContent('#cov-summary')).toMatch(/^\d+ of \d+ lines with instructions reached$/);
    await page.locator('#source [data-line="xdp_firewall.bpf.c:112"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}coverage.png`, fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a knob and a JSON map seed change the verdict; the JS tier runs untraced; the share link restores the state', async () => {
    const { page } = await open();
    await page.click('[data-tab=run]');
    await page.fill('[data-knob=blocked_tcp_port]', '23');
    await page.uncheck('#trace-on');
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('2 (XDP_PASS)');
    expect(await page.textContent('#engine')).toContain('engine: js tier');
    // a UDP frame from a blocklisted source, the blocklist seeded as JSON (key and value in hex)
    await page.selectOption('#pkt-l4', 'udp');
    await page.fill('#pkt-src', '192.168.1.66');
    await page.fill('#pkt-dport', '53');
    await page.click('#pkt-build');
    // typed from BTF: key __be32 192.168.1.66 as the dump shows it (its bytes c0 a8 01 42 read little-endian), value u64
    await page.fill('#maps-json', '{"blocklist": [{"key": 1107404992, "value": 0}]}');
    await page.check('#trace-on');
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('1 (XDP_DROP)');
    expect(await page.textContent('#maps-after')).toContain('blocklist (hash): {"key":1107404992,"value":1}');
    await page.click('[data-tab=share]');
    const href = (await page.getAttribute('#share-link', 'href'))!;
    expect(href).toMatch(/#state=/);
    const { page: again } = await open(href.replace(/^\//, ''));
    expect(await again.inputValue('[data-knob=blocked_tcp_port]')).toBe('23');
    expect(await again.inputValue('#maps-json')).toContain('1107404992');
    await runAndWait(again);
    expect(await again.textContent('#retval')).toBe('1 (XDP_DROP)');
    await again.close();
    // the same state as a downloaded JSON file, loaded into a fresh page
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const file = `${SHOTS}state.json`;
    await download.saveAs(file);
    const state = JSON.parse(readFileSync(file, 'utf8')) as { fixture: string; program: string; knobs: Record<string, string> };
    expect([state.fixture, state.program, state.knobs.blocked_tcp_port]).toEqual(['xdp_firewall', 'xdp_firewall', '23']);
    const { page: fresh } = await open();
    await fresh.setInputFiles('#load-json', file);
    await fresh.waitForFunction('document.querySelector("[data-knob=blocked_tcp_port]").value === "23"');
    await runAndWait(fresh);
    expect(await fresh.textContent('#retval')).toBe('1 (XDP_DROP)');
    await fresh.close();
    await page.close();
  });

  it('shows a rejected program: verdict, log, and the C line of the error highlighted', async () => {
    const { page } = await open();
    await page.selectOption('#fixture', 'verifier_xdp_parse');
    await page.waitForSelector('#status[data-object=verifier_xdp_parse]', { state: 'attached' });
    await page.click('[data-tab=code]');
    await page.selectOption('#prog-select', 'udp_unchecked');
    await page.click('[data-tab=verifier]');
    expect(await page.textContent('#verdicts')).toContain('rejected: EACCES at verifier_xdp_parse.bpf.c:77');
    expect(await page.textContent('#verdict')).toBe('udp_unchecked: rejected (EACCES) at pc 16, verifier_xdp_parse.bpf.c:77: return udp->dest == bpf_htons(53) ? XDP_DROP : XDP_PASS;');
    expect(await page.textContent('#verifier-log')).toContain('invalid access to packet');
    await page.click('[data-tab=code]');
    expect(await page.textContent('#listing .err-line')).toMatch(/^\s*16: /);
    await page.click('[data-tab=source]');
    expect(await page.getAttribute('#source .verr', 'data-line')).toBe('verifier_xdp_parse.bpf.c:77');
    await page.screenshot({ path: `${SHOTS}verifier.png` });
    await page.close();
  });

  it('a dropped malformed file shows the loader error and keeps the page usable', async () => {
    const { page, errors } = await open();
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0xf7, 0])], 'broken.bpf.o'));
      document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForSelector('#error:not([hidden])');
    const msg = (await page.textContent('#error'))!;
    expect(msg).toMatch(/^broken: /);
    expect(msg.length).toBeGreaterThan('broken: '.length + 10);
    await page.screenshot({ path: `${SHOTS}malformed.png` });
    // the same file through the file picker
    await page.setInputFiles('#file', { name: 'empty.bpf.o', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) });
    await page.waitForSelector('#error:has-text("empty: ")');
    // a good object still opens afterwards
    await page.selectOption('#fixture', 'xdp_firewall');
    await page.waitForSelector('#error[hidden]', { state: 'attached' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tc: __sk_buff fields build ctx_in; the program sees them and ctx_out carries its writes (tc_ctx.bpf.c header)', async () => {
    const { page } = await open();
    await page.selectOption('#fixture', 'tc_ctx');
    await page.waitForSelector('#status[data-object=tc_ctx]', { state: 'attached' });
    await page.click('[data-tab=run]');
    await page.fill('#skb-fields', 'mark=5 cb=1,2,3,4,5');
    await page.click('#skb-build');
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('0 (TC_ACT_OK)');
    const maps = (await page.textContent('#maps-after'))!;
    expect(maps).toContain('"mark":5');
    expect(maps).toContain('"cb":[1,2,3,4,5]');
    expect(maps).toContain('"len":60');
    const ctxOut = (await page.textContent('#ctx-out'))!.replace(/\s+/g, '');
    expect(ctxOut.slice(16, 24)).toBe('06000000'); // mark + 1 at offset 8
    expect(ctxOut.slice(64, 72)).toBe('07000000'); // priority 7 at offset 32
    await page.close();
  });

  it('a long run shows progress and stops; the next run works (bench_loop.bpf.c header example)', async () => {
    const { page } = await open();
    await page.selectOption('#fixture', 'bench_loop');
    await page.waitForSelector('#status[data-object=bench_loop]', { state: 'attached' });
    await page.click('[data-tab=run]');
    // struct loop_bench_args { u32 n = 1 << 23; u32 pad; u64 seed = 1; s64 iterations; u64 state; u64 acc; }
    await page.fill('#ctx-hex', `00008000 00000000 0100000000000000 ${'00'.repeat(24)}`);
    await page.click('#run');
    await page.waitForSelector('#progress:has-text("instructions")', { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForSelector('#progress[data-state=stopped]', { state: 'attached' });
    expect(await page.isHidden('#error')).toBe(true);
    // this time through the ctx form typed from BTF (struct loop_bench_args)
    expect(await page.textContent('#ctx-legend')).toBe('struct loop_bench_args (JSON typed from BTF)');
    expect(JSON.parse(await page.inputValue('#ctx-json'))).toEqual({ n: 0, pad: 0, seed: 0, iterations: 0, state: 0, acc: 0 });
    await page.fill('#ctx-json', '{"n": 1000, "pad": 0, "seed": 1, "iterations": 0, "state": 0, "acc": 0}');
    await page.click('#ctx-build');
    await page.waitForFunction('document.querySelector("#ctx-hex").value.startsWith("e8")');
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('0');
    // n 1000, seed 1 -> iterations 1000, state 0x9e8b2325c8f3382d, acc 0x1e9220c28f0
    expect((await page.textContent('#ctx-out'))!.replace(/\s+/g, '')).toBe('e8030000000000000100000000000000e8030000000000002d38f3c825238b9ef0280c22e9010000');
    expect(JSON.parse((await page.textContent('#ctx-out-typed'))!)).toEqual({ n: 1000, pad: 0, seed: 1, iterations: 1000, state: '11424263524947540013', acc: 2100810230000 });
    await page.close();
  });

  it('struct_ops: the association demo steps through map states and associations; sched_ext and TCP simulators draw SVG', async () => {
    const { page, errors } = await open();
    await page.click('[data-tab=structops]');
    await page.click('#assoc-start');
    await page.waitForSelector('#assoc-pos:has-text("step 1 of")');
    expect(await page.textContent('#assoc-title')).toMatch(/^1\. load: /);
    await page.click('#assoc-next');
    await page.click('#assoc-next');
    // step 3, attach: shared_probe sits in two maps, so its association is poisoned (struct_ops_demo.bpf.c)
    expect(await page.textContent('#assoc-title')).toMatch(/^3\. attach: /);
    expect(await page.textContent('#assoc-progs')).toContain('shared_probepoison');
    expect(await page.textContent('#assoc-progs')).toContain('dispatch_doublemap doubler');
    await page.click('#assoc-next');
    expect(await page.textContent('#assoc-title')).toMatch(/= 42$/);
    for (let i = 0; i < 6; i++) await page.click('#assoc-next');
    expect(await page.textContent('#assoc-maps')).toContain('doublerfreed');
    await page.screenshot({ path: `${SHOTS}struct-ops.png` });
    await page.selectOption('#fixture', 'tcp_cc_reno');
    await page.waitForSelector('#status[data-object=tcp_cc_reno]', { state: 'attached' });
    await page.fill('#tcp-s', '2');
    await page.click('#tcp-run');
    await page.waitForSelector('#sim-svg svg');
    expect(await page.textContent('#sim-summary')).toMatch(/Mbit\/s, \d+ retransmits; reno: /);
    await page.selectOption('#fixture', 'scx_vtime');
    await page.waitForSelector('#status[data-object=scx_vtime]', { state: 'attached' });
    await page.waitForFunction('document.querySelector("#sched-workload").value.includes("light")');
    await page.click('#sched-run');
    await page.waitForSelector('#sim-svg svg');
    expect(await page.textContent('#sim-summary')).toBe('UNREG: unregistered from user space');
    await page.screenshot({ path: `${SHOTS}sched-ext.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a raw tracepoint takes its u64 args; a pcap file fills data_in (tracing.bpf.c header: args {0, 59} -> raw_last_id 59)', async () => {
    const { page } = await open();
    // a two-packet pcap built by the package; the second packet (UDP) goes into data_in
    const { writePcap, buildPacket } = await import('../../src/packets.js');
    const udp = buildPacket([{ eth: {} }, { ipv4: { src: '10.0.0.1', dst: '10.0.0.2' } }, { udp: { dport: 53 } }], { minLength: 60 });
    const pcap = writePcap([buildPacket([{ eth: {} }, { ipv4: {} }, { tcp: { dport: 22 } }], { minLength: 60 }), udp]);
    await page.click('[data-tab=run]');
    await page.fill('#pcap-index', '2');
    await page.setInputFiles('#pcap-file', { name: 'two.pcap', mimeType: 'application/octet-stream', buffer: Buffer.from(pcap) });
    await page.waitForFunction('document.querySelector("#data-hex").value.replace(/\\s+/g, "").length === 120');
    expect((await page.inputValue('#data-hex')).replace(/\s+/g, '')).toBe(Buffer.from(udp).toString('hex'));
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('2 (XDP_PASS)');
    await page.selectOption('#fixture', 'tracing');
    await page.waitForSelector('#status[data-object=tracing]', { state: 'attached' });
    await page.click('[data-tab=code]');
    await page.selectOption('#prog-select', 'raw_tp_sys_enter');
    await page.click('[data-tab=run]');
    expect(await page.isVisible('#pkt-form')).toBe(false);
    expect(await page.isVisible('#ctx-form')).toBe(false);
    await page.fill('#args', '0, 59');
    await page.click('#args-build');
    expect((await page.inputValue('#ctx-hex')).replace(/\s+/g, '')).toBe(`${'00'.repeat(8)}3b00000000000000`);
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('0');
    const maps = (await page.textContent('#maps-after'))!;
    expect(maps).toContain('"raw_last_id":59');
    expect(maps).toContain('"raw_count":1');
    await page.close();
  });

  it('under a strict CSP (no unsafe-eval) the page works and runs on the interpreter', async () => {
    const { page, errors } = await open('strict/');
    expect(await page.textContent('#status')).toContain('JS tier unavailable here (CSP), interpreter only');
    await page.click('[data-tab=run]');
    await page.uncheck('#trace-on');
    await runAndWait(page);
    expect(await page.textContent('#retval')).toBe('1 (XDP_DROP)');
    expect(await page.textContent('#engine')).toContain('engine: interpreter (new Function unavailable)');
    await page.check('#trace-on');
    await runAndWait(page);
    expect(await page.textContent('#trace-pos')).toBe('step 1 of 69');
    // the injected CFG SVG needs no inline style or script
    await page.click('[data-tab=cfg]');
    expect(await page.locator('#cfg svg g').count()).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${SHOTS}strict-csp.png` });
    await page.close();
  });
});
