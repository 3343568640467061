/**
 * The loader's arena rules (object/load.ts linkArena, libbpf 1.6 as in Linux 6.18: init_arena_map_data
 * and bpf_object__init_maps): `.addr_space.1` globals need exactly one ARENA map that can hold them.
 * Bad objects are made by patching the good fixture's BTF map definition (`__uint(type, 33)` and
 * `__uint(max_entries, 8)` are BTF arrays of 33 and 8 elements).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObjectSpec } from '../../src/object/load.js';
import { ObjectError } from '../../src/object/errors.js';
import { ERRNO } from '../../src/util/errno.js';

const GOOD = readFileSync(new URL('../../programs/arena_list.bpf.o', import.meta.url));

/** A copy with the first BTF_KIND_ARRAY of `from` elements changed to `to` elements. */
function patchArray(from: number, to: number): Uint8Array {
  const b = new Uint8Array(GOOD);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i + 24 <= b.length; i += 4) {
    // struct btf_type { name_off; info = BTF_KIND_ARRAY << 24; size } + struct btf_array { type; index_type; nelems }
    if (dv.getUint32(i, true) === 0 && dv.getUint32(i + 4, true) === 0x03000000 && dv.getUint32(i + 8, true) === 0 && dv.getUint32(i + 20, true) === from) {
      dv.setUint32(i + 20, to, true);
      return b;
    }
  }
  throw new Error(`no BTF array of ${from} elements`);
}

function openError(bytes: Uint8Array): ObjectError {
  try {
    loadObjectSpec(bytes);
  } catch (e) {
    if (e instanceof ObjectError) return e;
    throw e;
  }
  throw new Error('loaded');
}

describe('arena globals (.addr_space.1)', () => {
  it('go to the arena map: its arenaData, relocations as map_value offsets into it', () => {
    const spec = loadObjectSpec(GOOD);
    const arena = spec.maps.find((m) => m.name === 'arena')!;
    expect(arena.type).toBe(33);
    expect(arena.arenaData?.length).toBe(spec.sections.find((s) => s.name === '.addr_space.1')!.size);
    // magic = 0x600dcafe is the first global of the section
    expect(new DataView(arena.arenaData!.buffer, arena.arenaData!.byteOffset).getUint32(0, true)).toBe(0x600dcafe);
    const relocs = spec.programs.flatMap((p) => p.relocations).filter((r) => r.target === 'arena');
    expect(relocs.length).toBeGreaterThan(0);
    expect(relocs.every((r) => (r.kind === 'map_value' && r.offset < arena.arenaData!.length) || r.kind === 'map')).toBe(true);
  });

  it('without an ARENA map: ENOENT, as libbpf', () => {
    const e = openError(patchArray(33, 2));
    expect(e.errno).toBe(ERRNO.ENOENT);
    expect(e.message).toContain(`elf: sec '.addr_space.1': to use global __arena variables the ARENA map should be explicitly declared in SEC(".maps")`);
  });

  it('an arena too small for them: E2BIG', () => {
    const e = openError(patchArray(8, 0));
    expect(e.errno).toBe(ERRNO.E2BIG);
    expect(e.message).toContain('declared ARENA map size (0) is too small to hold global __arena variables of size');
  });
});
