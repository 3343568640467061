/**
 * The arena kfuncs of kernel/bpf/arena.c (6.18): bpf_arena_alloc_pages, bpf_arena_free_pages and
 * bpf_arena_reserve_pages (6.17+), registered for every program type (BPF_PROG_TYPE_UNSPEC) with
 * KF_TRUSTED_ARGS | KF_SLEEPABLE (plus KF_ARENA_RET / KF_ARENA_ARG2, which only matter to JITs that
 * translate arena addresses). From the sources, not a live run: this kernel refuses arena maps.
 *
 * - alloc(map, addr__ign, page_cnt, node_id, flags): NULL unless the map is an arena, flags is 0 and
 *   page_cnt > 0; otherwise maps/arena.ts ArenaMap.allocPages (user address of the first page, or NULL).
 *   node_id: NUMA_NO_NODE (-1) or an online node; the emulated machine has one node (0), and any other
 *   node gives NULL (the 6.18 source passes it to the page allocator unchecked; here it cannot succeed).
 * - free(map, ptr__ign, page_cnt): nothing for a non-arena map, page_cnt 0 or a NULL pointer.
 * - reserve(map, ptr__ign, page_cnt): -EINVAL for a non-arena map, 0 for page_cnt 0.
 *
 * Returned addresses are user addresses (user_vm_start's upper half); the verifier types them as
 * scalars (a kfunc returning `void *`), and programs reach the pages after addr_space_cast.
 */
import { ArenaMap } from '../../maps/arena.js';
import { Memory, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';

const EINVAL = 22;
const NUMA_NO_NODE = -1;

/** The arena `p__map` names, or undefined (a non-arena map or not a map pointer). */
function arenaOf({ m, args }: KfuncCall): ArenaMap | undefined {
  const [id, off] = Memory.split(args[0]!);
  if (off !== 0 || !m.mem.isMapped(id) || m.mem.kindOf(id) !== RegionKind.MAP) return undefined;
  const owner = m.mem.ownerOf(id);
  return owner instanceof ArenaMap ? owner : undefined;
}

const MAP = { name: 'p__map', type: 'void *' };
const PAGES = { name: 'page_cnt', type: 'u32' };

/** Register the three arena kfuncs into `k`. */
export function installArenaKfuncs(k: Kernel): void {
  k.registerKfunc({
    name: 'bpf_arena_alloc_pages',
    proto: { ret: 'void *', params: [MAP, { name: 'addr__ign', type: 'void *' }, PAGES, { name: 'node_id', type: 'int' }, { name: 'flags', type: 'u64' }] },
    flags: { trustedArgs: true, sleepable: true, arenaRet: true },
    impl: (call) => {
      const arena = arenaOf(call);
      const cnt = Number(call.args[2]! & 0xffffffffn);
      const node = Number(BigInt.asIntN(32, call.args[3]!));
      if (arena === undefined || call.args[4] !== 0n || cnt === 0) return 0n;
      if (node !== NUMA_NO_NODE && node !== 0) return 0n;
      return arena.allocPages(call.args[1]!, cnt);
    },
  });
  k.registerKfunc({
    name: 'bpf_arena_free_pages',
    proto: { ret: 'void', params: [MAP, { name: 'ptr__ign', type: 'void *' }, PAGES] },
    flags: { trustedArgs: true, sleepable: true },
    impl: (call) => {
      const arena = arenaOf(call);
      const cnt = Number(call.args[2]! & 0xffffffffn);
      if (arena !== undefined && cnt !== 0 && call.args[1] !== 0n) arena.freePages(call.args[1]!, cnt);
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_arena_reserve_pages',
    proto: { ret: 'int', params: [MAP, { name: 'ptr__ign', type: 'void *' }, PAGES] },
    flags: { trustedArgs: true, sleepable: true },
    impl: (call) => {
      const arena = arenaOf(call);
      if (arena === undefined) return -EINVAL;
      const cnt = Number(call.args[2]! & 0xffffffffn);
      return cnt === 0 ? 0 : arena.reservePages(call.args[1]!, cnt);
    },
  });
}
