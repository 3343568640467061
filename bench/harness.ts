/**
 * The benchmark corpus format: a case prepares a runnable (machine, program, inputs) once and is
 * timed by calling `run()` repeatedly. `insnsPerRun` comes from a checked warm-up run, so the
 * M insns/s figure counts the instructions the interpreter really executed.
 */
import { assemble } from '../src/isa/asm.js';
import { Machine, type HelperFn } from '../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../src/vm/memory.js';
import { buildExecProgram } from '../src/vm/program.js';
import { runProgram, type EngineName } from '../src/vm/run.js';

/** A case ready to be timed. */
export interface PreparedCase {
  /** One execution; must not allocate beyond what the run itself does. */
  run(): void;
  /** Instructions one run executes. */
  readonly insnsPerRun: number;
}

/** One named benchmark of the corpus. */
export interface BenchCase {
  readonly name: string;
  readonly description: string;
  /** Build everything the timed loop needs; throws if the program does not do what it should. */
  setup(engine: EngineName): PreparedCase;
}

/** Options of {@link asmCase}. */
export interface AsmCaseSpec {
  name: string;
  description: string;
  /** Program in the assembler dialect. r1 = input pointer, r2 = input length. */
  asm: string;
  /** Input region bytes (none if omitted). */
  input?: Uint8Array;
  helpers?: ReadonlyMap<number, HelperFn>;
  /** The r0 the program must return (checked once in setup). */
  expect: bigint;
}

/** A benchmark case from assembler text, run through the public entry point `runProgram`. */
export function asmCase(spec: AsmCaseSpec): BenchCase {
  return {
    name: spec.name,
    description: spec.description,
    setup(engine: EngineName): PreparedCase {
      const prog = buildExecProgram(assemble(spec.asm), { name: spec.name, ...(spec.helpers !== undefined ? { helpers: spec.helpers } : {}) });
      const mem = new Memory();
      const m = new Machine(mem, spec.name);
      let args: bigint[] = [];
      if (spec.input !== undefined) {
        const id = mem.map(spec.input, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
        args = [Memory.pointer(id, 0), BigInt(spec.input.length)];
      }
      const budget = 1 << 30;
      const first = runProgram(m, prog, args, { engine, budget });
      if (first.fault !== null) throw new Error(`${spec.name}: ${first.fault.toString()}`);
      if (first.r0 !== spec.expect) throw new Error(`${spec.name}: r0 = 0x${first.r0.toString(16)}, expected 0x${spec.expect.toString(16)}`);
      const opts = { engine, budget };
      return {
        insnsPerRun: first.steps,
        run(): void {
          const r = runProgram(m, prog, args, opts);
          if (r.fault !== null) throw new Error(r.fault.toString());
        },
      };
    },
  };
}
