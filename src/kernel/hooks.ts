/**
 * Hook points: the named places tracing-type programs attach to (raw tracepoints for tp_btf/raw_tp,
 * functions for fentry/fexit/fmod_ret, LSM hooks, iterators, kprobes, tracepoints). Registering a
 * hook adds what libbpf looks up in vmlinux BTF: `btf_trace_<name>` for a raw tracepoint, a FUNC
 * `<name>` for fentry, `bpf_lsm_<name>` for LSM, `bpf_iter_<name>` for iterators.
 *
 * User code fires a hook with arguments; every attached program runs, in attach order.
 */
import type { KernelTypes, KFuncProto } from './objects/ktypes.js';
import type { KLink } from './objects/objects.js';

/** How a hook is reached. */
export type HookKind = 'raw_tp' | 'fentry' | 'lsm' | 'iter' | 'kprobe' | 'tracepoint' | 'cgroup';

/** A hook point definition. */
export interface HookDef {
  readonly name: string;
  readonly kind: HookKind;
  /** Parameters (raw_tp: after the implicit `void *__data`; fentry/lsm: the function's). */
  readonly params: KFuncProto['params'];
  /** Return type (fentry/lsm). */
  readonly ret?: string;
}

/** A registered hook with the BTF id libbpf would find and its attachments. */
export interface Hook {
  readonly def: HookDef;
  readonly btfId: number;
  /** BTF name used for lookups (`btf_trace_sys_enter`, `bpf_lsm_file_open`, ...). */
  readonly btfName: string;
  readonly links: KLink[];
}

/** BTF name of a hook as libbpf searches for it (libbpf find_attach_btf_id prefixes). */
export function hookBtfName(kind: HookKind, name: string): string {
  switch (kind) {
    case 'raw_tp':
      return `btf_trace_${name}`;
    case 'lsm':
      return `bpf_lsm_${name}`;
    case 'iter':
      return `bpf_iter_${name}`;
    default:
      return name;
  }
}

/** Hook points by kind and name, and by BTF id. */
export class HookRegistry {
  private readonly byKey = new Map<string, Hook>();
  private readonly byId = new Map<number, Hook>();

  add(def: HookDef, types: KernelTypes): Hook {
    const key = `${def.kind}:${def.name}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const btfName = hookBtfName(def.kind, def.name);
    let btfId = 0;
    if (def.kind === 'raw_tp') btfId = types.addTracepoint(def.name, def.params);
    else if (def.kind === 'fentry' || def.kind === 'lsm' || def.kind === 'iter') btfId = types.addFunc(btfName, { ret: def.ret ?? 'int', params: def.params });
    const hook: Hook = { def, btfId, btfName, links: [] };
    this.byKey.set(key, hook);
    if (btfId !== 0) this.byId.set(btfId, hook);
    return hook;
  }

  get(kind: HookKind, name: string): Hook | undefined {
    return this.byKey.get(`${kind}:${name}`);
  }

  byBtfId(id: number): Hook | undefined {
    return this.byId.get(id);
  }

  all(): Hook[] {
    return [...this.byKey.values()];
  }
}
