/**
 * `npm run build:web`: the playground as static files in dist-web/ (index.html, the page's and the
 * worker's bundles, every bundled object of programs/ with its C source under fixtures/, and the
 * sched_ext simulator's example workload).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const programs = fileURLToPath(new URL('../programs/', import.meta.url));

/** Emits fixtures/<name>.bpf.o, fixtures/<name>.bpf.c and fixtures/index.json. */
function fixtures(): Plugin {
  return {
    name: 'bpfemu-fixtures',
    apply: 'build',
    generateBundle() {
      const index: { name: string; object: string; source: string | null }[] = [];
      for (const f of readdirSync(programs).filter((x) => x.endsWith('.bpf.o')).sort()) {
        const name = f.slice(0, -'.bpf.o'.length);
        const c = `${name}.bpf.c`;
        const hasC = existsSync(programs + c);
        this.emitFile({ type: 'asset', fileName: `fixtures/${f}`, source: readFileSync(programs + f) });
        if (hasC) this.emitFile({ type: 'asset', fileName: `fixtures/${c}`, source: readFileSync(programs + c) });
        index.push({ name, object: f, source: hasC ? c : null });
      }
      this.emitFile({ type: 'asset', fileName: 'fixtures/index.json', source: JSON.stringify(index) });
      // the sched_ext simulator's example workload (README "sched_ext")
      this.emitFile({ type: 'asset', fileName: 'fixtures/sched-ext-workload.json', source: readFileSync(fileURLToPath(new URL('../docs/sched-ext-workload.json', import.meta.url))) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist-web/', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    target: 'es2022',
    // (no "plugin timings" advice printed on every build)
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: 'es' },
  plugins: [fixtures()],
});
