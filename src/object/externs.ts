/**
 * Extern symbols (libbpf bpf_object__collect_externs): every undefined GLOBAL/WEAK NOTYPE symbol
 * is an extern, described by the BTF VAR or FUNC of the same name with extern linkage, and
 * classified by the DATASEC that lists it:
 *
 * ```
 *  DATASEC .kconfig  VAR   -> kconfig  (stored in the .kconfig internal map)
 *  DATASEC .ksyms    VAR   -> ksym     (typeless when the VAR's type is void)
 *  DATASEC .ksyms    FUNC  -> kfunc
 * ```
 * Order (libbpf cmp_externs): kconfig externs first, by alignment descending, then size
 * ascending, then name; then ksym and kfunc externs together by name. Kconfig offsets: each
 * extern at the next multiple of its alignment after the previous one (libbpf assigns
 * `kcfg.data_off` the same way), so the `.kconfig` map is the end of the last one.
 */
import type { Btf } from '../btf/btf.js';
import { BtfError } from '../btf/errors.js';
import { essentialName } from '../btf/core.js';
import type { BtfFunc, BtfVar } from '../btf/types.js';
import { STB } from '../elf/index.js';
import { roundUp } from '../util/bytes.js';
import { ERRNO } from '../util/errno.js';
import { isExternSymbol, requireBtf, type LoadContext } from './context.js';
import { ObjectError } from './errors.js';
import type { ExternSpec, KconfigType } from './spec.js';

/** An extern with the symbol it came from. */
export interface CollectedExtern {
  readonly spec: ExternSpec;
  readonly symbolIndex: number;
}

/** The externs in spec order, the symbol-index lookup, and the `.kconfig` map size. */
export interface ExternTable {
  readonly list: readonly CollectedExtern[];
  readonly bySymbol: ReadonlyMap<number, number>;
  /** Size of the `.kconfig` map (0 when there are no kconfig externs). */
  readonly kconfigSize: number;
}

/** libbpf find_kcfg_type: how a kconfig value of this type is parsed and stored. */
function kcfgType(btf: Btf, id: number, depth = 0): { type: KconfigType; signed: boolean } | undefined {
  const t = btf.resolved(id);
  switch (t.kind) {
    case 'INT':
      if (t.bool) return t.size === 1 ? { type: 'bool', signed: false } : undefined;
      if (t.size === 1) return { type: 'char', signed: t.signed };
      if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1)) !== 0) return undefined;
      return { type: 'int', signed: t.signed };
    case 'ENUM':
      return t.size === 4 && t.name === 'libbpf_tristate' ? { type: 'tristate', signed: false } : undefined;
    case 'ENUM64':
      return t.name === 'libbpf_tristate' ? { type: 'tristate', signed: false } : undefined;
    case 'ARRAY':
      if (t.nelems === 0 || depth > 0) return undefined;
      return kcfgType(btf, t.type, depth + 1)?.type === 'char' ? { type: 'char_array', signed: false } : undefined;
    default:
      return undefined;
  }
}

const KIND_ORDER = { kconfig: 0, ksym: 1, kfunc: 1 } as const;

/** Collect, classify, sort and lay out the object's externs. */
export function collectExterns(ctx: LoadContext): ExternTable {
  const syms = ctx.elf.symbols.filter(isExternSymbol);
  if (syms.length === 0) return { list: [], bySymbol: new Map(), kconfigSize: 0 };
  const btf = requireBtf(ctx, `externs: symbol '${syms[0]!.name}'`);
  // Which DATASEC lists each type id.
  const secOf = new Map<number, string>();
  for (const ds of btf.types) {
    if (ds.kind !== 'DATASEC') continue;
    for (const v of ds.vars) if (!secOf.has(v.type)) secOf.set(v.type, ds.name);
  }
  const collected: { spec: ExternSpec; symbolIndex: number; align: number }[] = [];
  for (const sym of syms) {
    const where = `externs: '${sym.name}'`;
    const t = btf.findByName(sym.name).find((x): x is BtfVar | BtfFunc => x.kind === 'VAR' || x.kind === 'FUNC');
    if (t === undefined) throw new ObjectError('OBJ_BAD_EXTERN', `${where}: no BTF VAR or FUNC of that name`, { errno: ERRNO.ENOENT });
    if (t.linkage !== 'extern') throw new ObjectError('OBJ_BAD_EXTERN', `${where}: BTF ${t.kind} [${t.id}] has ${t.linkage} linkage, not extern`);
    const sec = secOf.get(t.id);
    if (sec === undefined) throw new ObjectError('OBJ_BAD_EXTERN', `${where}: BTF ${t.kind} [${t.id}] is in no DATASEC`, { errno: ERRNO.ENOENT });
    const base = { name: t.name, essentialName: essentialName(t.name), weak: sym.bind === STB.WEAK, typeId: t.id };
    if (sec === '.kconfig') {
      if (t.kind === 'FUNC') throw new ObjectError('OBJ_BAD_EXTERN', `${where}: extern functions are not supported in .kconfig`, { errno: ERRNO.EOPNOTSUPP });
      let size: number;
      let align: number;
      try {
        size = btf.sizeof(t.type);
        align = btf.alignof(t.type);
      } catch (e) {
        if (e instanceof BtfError) throw new ObjectError('OBJ_BAD_EXTERN', `${where}: cannot size the kconfig value: ${e.message}`, { cause: e });
        throw e;
      }
      const k = kcfgType(btf, t.type);
      if (size === 0 || align === 0 || k === undefined) {
        throw new ObjectError('OBJ_BAD_EXTERN', `${where}: kconfig type is unsupported`, { errno: ERRNO.EOPNOTSUPP });
      }
      collected.push({ spec: { ...base, kind: 'kconfig', typeless: false, kconfig: { offset: 0, size, align, type: k.type, signed: k.signed } }, symbolIndex: sym.index, align });
    } else if (sec === '.ksyms') {
      const typeless = t.kind === 'VAR' && btf.resolve(t.type) === 0;
      collected.push({ spec: { ...base, kind: t.kind === 'FUNC' ? 'kfunc' : 'ksym', typeless }, symbolIndex: sym.index, align: 0 });
    } else {
      throw new ObjectError('OBJ_BAD_EXTERN', `${where}: unrecognized extern section '${sec}'`, { errno: ERRNO.EOPNOTSUPP });
    }
  }
  collected.sort((a, b) => {
    const ka = KIND_ORDER[a.spec.kind];
    const kb = KIND_ORDER[b.spec.kind];
    if (ka !== kb) return ka - kb;
    if (a.spec.kind === 'kconfig' && b.spec.kind === 'kconfig') {
      if (a.align !== b.align) return b.align - a.align;
      const sa = a.spec.kconfig!.size;
      const sb = b.spec.kconfig!.size;
      if (sa !== sb) return sa - sb;
    }
    return a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : a.symbolIndex - b.symbolIndex;
  });
  let off = 0;
  const list: CollectedExtern[] = collected.map((c) => {
    if (c.spec.kind !== 'kconfig') return { spec: c.spec, symbolIndex: c.symbolIndex };
    const k = c.spec.kconfig!;
    const offset = roundUp(off, k.align);
    off = offset + k.size;
    return { spec: { ...c.spec, kconfig: { ...k, offset } }, symbolIndex: c.symbolIndex };
  });
  const bySymbol = new Map<number, number>();
  list.forEach((e, i) => bySymbol.set(e.symbolIndex, i));
  return { list, bySymbol, kconfigSize: off };
}
