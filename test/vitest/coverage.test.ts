/** bpfemu/vitest coverage: the tracefile a test process writes (src/vitest/coverage.ts). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { CoverageCollector } from '../../src/api/coverage.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { ipv4Frame } from '../../src/util/packets.js';
import { writeBpfCoverage } from '../../src/vitest/coverage.js';

describe('writeBpfCoverage', () => {
  it('writes one lcov tracefile per call with the sources under root; nothing when nothing ran', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfcov-'));
    try {
      const c = new CoverageCollector();
      expect(writeBpfCoverage(c, { dir })).toBeNull();
      const obj = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'), { kernel: new Kernel({ coverage: c }) });
      obj.load();
      obj.program('xdp_firewall').testRun({ dataIn: ipv4Frame('udp') });
      const path = writeBpfCoverage(c, { dir, root: 'programs' })!;
      expect(path).toMatch(new RegExp(`^${dir}/bpf-${process.pid}-\\d+\\.info$`));
      const text = readFileSync(path, 'utf8');
      expect(text).toMatch(/^TN:\nSF:programs\/xdp_firewall\.bpf\.c\nFN:115,xdp_firewall\nFNDA:1,xdp_firewall\n/);
      expect(text.endsWith('end_of_record\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
