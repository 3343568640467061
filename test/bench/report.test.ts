/** The bench report renderings: the README table carries one row per case with the kernel ratio. */
import { describe, expect, it } from 'vitest';
import { markdownReport, textReport, type BenchReport, type CaseRow } from '../../bench/report.js';

const row = (name: string, kernel?: CaseRow['kernel']): CaseRow => ({
  case: name,
  path: 'BPF_PROG_TEST_RUN',
  description: '',
  runsPerCall: 1,
  insnsPerRun: 100,
  mInsnsPerSec: 125,
  nsPerRun: 800,
  rmePct: 1,
  samples: 10,
  bytesPerRun: null,
  ...(kernel !== undefined ? { kernel } : {}),
});

const report: BenchReport = {
  date: '2026-01-02T03:04:05.000Z',
  node: 'v20.0.0',
  cpu: 'Test CPU',
  cores: 2,
  engine: 'fast',
  repeat: 1000,
  timeMs: 100,
  kernel: 'test',
  cases: [row('a', { nsPerRun: 40, repeat: 1000, ratio: 20 }), row('b', { skipped: 'not root' }), row('c')],
};

describe('bench report', () => {
  it('renders the README table with machine, node, date and the ratio', () => {
    const md = markdownReport(report);
    expect(md).toContain('Test CPU (2 cores), Node v20.0.0, 2026-01-02');
    const lines = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| case'));
    expect(lines).toEqual(['| a | 100 | 125.0 | 800 | - | 40 | 20.0x |', '| b | 100 | 125.0 | 800 | - | skipped | - |', '| c | 100 | 125.0 | 800 | - | - | - |']);
  });

  it('says why a kernel row was skipped in the text report', () => {
    expect(textReport(report)).toContain('b: kernel skipped: not root');
  });
});
