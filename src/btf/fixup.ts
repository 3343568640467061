/**
 * DATASEC fix-up, as libbpf's btf_fixup_datasec does before loading an object's BTF.
 *
 * clang emits every DATASEC with size 0 and every *global* VAR at offset 0; only static VARs
 * carry real offsets. For each DATASEC except the extern-only `.ksyms` and `.kconfig` (which
 * have no ELF section; libbpf lays them out itself):
 *  - if its size is 0, size := the ELF section's size (a missing or empty section is an
 *    error, libbpf -ENOENT), and every non-static, non-extern VAR's offset := the value of
 *    the ELF symbol with the same name (missing symbol: error);
 *  - a non-zero size (already linked by bpftool/the static linker) is kept, offsets too;
 *  - a global VAR whose symbol is STV_HIDDEN/STV_INTERNAL becomes static (libbpf does this
 *    so such data is not exposed as mmap-able), when `isHidden` is supplied;
 *  - entries are then sorted by offset (libbpf sorts with qsort on offset; ties keep order).
 */
import { Btf } from './btf.js';
import { BtfError } from './errors.js';
import type { BtfDatasec, BtfType, BtfVar, BtfVarSecinfo } from './types.js';

/** Extra knobs for {@link fixupDatasecs}. */
export interface FixupOptions {
  /** True when the ELF symbol for this global VAR has hidden or internal visibility. */
  readonly isHidden?: (varName: string) => boolean;
}

/**
 * Return a new Btf with DATASEC sizes and VAR offsets filled in from the ELF section sizes
 * and symbol values. Throws BtfError('BTF_FIXUP') when a size or symbol is missing.
 */
export function fixupDatasecs(
  btf: Btf,
  sectionSize: (name: string) => number | undefined,
  symbolOffset: (varName: string) => number | undefined,
  opts: FixupOptions = {},
): Btf {
  const types: BtfType[] = btf.types.slice();
  const at = (id: number): BtfType => (id >= btf.startId ? types[id - btf.startId]! : btf.type(id));
  let changed = false;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t.kind !== 'DATASEC') continue;
    if (t.name === '.ksyms' || t.name === '.kconfig') continue;
    const where = `datasec '${t.name}' [${t.id}]`;
    let size = t.size;
    const fixOffsets = size === 0;
    if (fixOffsets) {
      const s = sectionSize(t.name);
      if (s === undefined || s === 0) throw new BtfError('BTF_FIXUP', `${where}: no ELF section size (got ${s ?? 'none'})`);
      size = s;
    }
    const vars: BtfVarSecinfo[] = t.vars.map((vsi) => {
      const vt = at(vsi.type);
      if (vt.kind !== 'VAR') throw new BtfError('BTF_FIXUP', `${where}: entry [${vsi.type}] is ${vt.kind}, not VAR`);
      if (vt.linkage === 'static' || vt.linkage === 'extern') return vsi;
      let offset = vsi.offset;
      if (fixOffsets) {
        const off = symbolOffset(vt.name);
        if (off === undefined) throw new BtfError('BTF_FIXUP', `${where}: no ELF symbol for variable '${vt.name}'`);
        offset = off;
      }
      if (vt.id >= btf.startId && opts.isHidden?.(vt.name) === true) {
        const fixedVar: BtfVar = { ...vt, linkage: 'static' };
        types[vt.id - btf.startId] = fixedVar;
      }
      return offset === vsi.offset ? vsi : { ...vsi, offset };
    });
    const sorted = vars
      .map((x, k) => [x, k] as const)
      .sort((a, b) => a[0].offset - b[0].offset || a[1] - b[1])
      .map(([x]) => x);
    const moved = sorted.some((x, k) => x !== t.vars[k]);
    if (moved || size !== t.size) {
      const fixed: BtfDatasec = { ...t, size, vars: sorted };
      types[i] = fixed;
      changed = true;
    }
  }
  if (!changed && types.every((t, k) => t === btf.types[k])) return btf;
  return new Btf(types, btf.strings, btf.base === undefined ? { littleEndian: btf.littleEndian } : { littleEndian: btf.littleEndian, base: btf.base });
}
