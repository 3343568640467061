/**
 * Child process of {@link runEmu} (emu-runner.ts): reads seeds (one per line) from stdin,
 * regenerates each program (of the shape in VERIFIER_FUZZ_SHAPE, default standard), runs bpfemu's `emuVerify` on it and writes one JSON line per seed,
 * `{"seed":S,"ms":T,"outcome":{...}}`, as soon as it has it (so that the parent can time out a
 * seed whose verification does not end). Started through vite's module runner with
 * `globalThis.__verifierFuzzWorker` set; importing it anywhere else runs nothing.
 */
import { writeSync } from 'node:fs';
import { emuOutcomes, loadEmuVerify } from './compare.js';
import { generate, SHAPES, type Shape } from './gen.js';

async function work(): Promise<number> {
  const emu = await loadEmuVerify();
  if (emu === undefined) {
    process.stderr.write('emu-worker: test/verifier/emulator.ts (emuVerify) does not exist\n');
    return 1;
  }
  // the generator's shape, from the parent (runEmu's `shape`)
  const shape = (process.env.VERIFIER_FUZZ_SHAPE ?? 'standard') as Shape;
  if (!SHAPES.includes(shape)) {
    process.stderr.write(`emu-worker: unknown shape '${shape}'\n`);
    return 1;
  }
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  for (const line of input.split('\n')) {
    if (line.trim() === '') continue;
    const seed = Number(line);
    const c = generate(seed, shape);
    const t = performance.now();
    const [outcome] = emuOutcomes(emu, [c]);
    writeSync(1, `${JSON.stringify({ seed, ms: Math.round(performance.now() - t), outcome })}\n`);
  }
  return 0;
}

if ((globalThis as { __verifierFuzzWorker?: boolean }).__verifierFuzzWorker === true) process.exitCode = await work();
