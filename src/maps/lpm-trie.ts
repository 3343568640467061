/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match.
 *
 * Key layout (struct bpf_lpm_trie_key_u8), data compared bit by bit from the first byte's MSB:
 *
 *   +---------------------------+----------------------------------+
 *   | prefixlen: u32 (host, LE) | data[key_size - 4] (big endian)  |
 *   +---------------------------+----------------------------------+
 *
 * The trie is the kernel's: a binary tree where each node covers `prefixlen` bits of `data` and
 * child[b] continues with bit `prefixlen` = b; intermediate nodes (no value) appear where two
 * prefixes diverge. Lookups return the deepest non-intermediate node whose prefix matches; updates
 * and deletes need the exact prefix; get_next_key walks in postorder (more specific prefixes
 * first), so iteration order matches the kernel's.
 *
 * An update of an existing prefix replaces its node (as the kernel does under RCU): a value pointer
 * taken before keeps the old node's bytes.
 */
import { ERRNO } from '../util/errno.js';
import { BpfMap, progFlags, readU32, writeU32, type ResolvedAttr } from './map.js';
import { copyBytes } from './storage.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_NOEXIST, mapFlagsAccessOk } from './uapi.js';

const { EINVAL, EEXIST, ENOENT, ENOSPC } = ERRNO;

const LPM_DATA_SIZE_MAX = 256;
const LPM_KEY_SIZE_MIN = 4 + 1;
const LPM_KEY_SIZE_MAX = 4 + LPM_DATA_SIZE_MAX;
/** KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - sizeof(struct lpm_trie_node). */
const LPM_VAL_SIZE_MAX = (1 << 22) - LPM_DATA_SIZE_MAX - 24;
const LPM_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete']);

/** trie_alloc's attribute checks (BPF_F_NO_PREALLOC is mandatory): 0 or -EINVAL. */
export function lpmAllocCheck(attr: ResolvedAttr): number {
  if (
    attr.maxEntries === 0 ||
    !(attr.flags & BPF_F.NO_PREALLOC) ||
    attr.flags & ~LPM_CREATE_FLAG_MASK ||
    !mapFlagsAccessOk(attr.flags) ||
    attr.keySize < LPM_KEY_SIZE_MIN ||
    attr.keySize > LPM_KEY_SIZE_MAX ||
    attr.valueSize < 1 ||
    attr.valueSize > LPM_VAL_SIZE_MAX
  ) {
    return -EINVAL;
  }
  return 0;
}

/** A trie node (struct lpm_trie_node). */
interface LpmNode {
  prefixlen: number;
  /** LPM_TREE_NODE_FLAG_IM: an intermediate node, no value. */
  im: boolean;
  readonly data: Uint8Array;
  readonly value: Uint8Array;
  readonly child: [LpmNode | null, LpmNode | null];
  /** Serial number (the element number of its value region's owner). */
  readonly serial: number;
  /** Value region, 0 until a program looks the node up. */
  region: number;
}

/** Where a node hangs: the root, or child[bit] of a parent. */
interface Slot {
  readonly parent: LpmNode | null;
  readonly bit: 0 | 1;
}

/** LPM_TRIE. */
export class LpmTrieMap extends BpfMap {
  readonly progOps = OPS;
  /** key_size - 4. */
  readonly dataSize: number;
  /** dataSize * 8. */
  readonly maxPrefixlen: number;
  private root: LpmNode | null = null;
  private entries_ = 0;
  private serials = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.dataSize = attr.keySize - 4;
    this.maxPrefixlen = this.dataSize * 8;
    this.batchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: true };
  }

  /** Number of prefixes stored. */
  get count(): number {
    return this.entries_;
  }

  // ---- the kernel's algorithms ---------------------------------------------------------------------

  /** __longest_prefix_match: bits of `node` matching the key at kb[ko..], at most min(both prefixlens). */
  private match(node: LpmNode, kb: Uint8Array, ko: number, keyPrefixlen: number): number {
    const limit = Math.min(node.prefixlen, keyPrefixlen);
    const d = node.data;
    for (let i = 0; i < this.dataSize; i++) {
      const diff = d[i]! ^ kb[ko + 4 + i]!;
      if (diff !== 0) return Math.min(i * 8 + Math.clz32(diff) - 24, limit);
      if ((i + 1) * 8 >= limit) return limit;
    }
    return limit;
  }

  private get(slot: Slot): LpmNode | null {
    return slot.parent === null ? this.root : slot.parent.child[slot.bit];
  }

  private set(slot: Slot, node: LpmNode | null): void {
    if (slot.parent === null) this.root = node;
    else slot.parent.child[slot.bit] = node;
  }

  private newNode(prefixlen: number, data: Uint8Array, doff: number, im: boolean): LpmNode {
    const n: LpmNode = {
      prefixlen,
      im,
      data: new Uint8Array(this.dataSize),
      value: new Uint8Array(im ? 0 : this.valueSize),
      child: [null, null],
      serial: this.serials++,
      region: 0,
    };
    copyBytes(n.data, 0, data, doff, this.dataSize);
    return n;
  }

  /** trie_lookup_elem: the longest matching non-intermediate node, or null. */
  private lookupNode(kb: Uint8Array, ko: number): LpmNode | null {
    const plen = readU32(kb, ko);
    if (plen > this.maxPrefixlen) return null;
    let found: LpmNode | null = null;
    for (let node = this.root; node !== null; ) {
      const m = this.match(node, kb, ko, plen);
      if (m === this.maxPrefixlen) return node;
      if (m < node.prefixlen) break;
      if (!node.im) found = node;
      node = node.child[extractBit(kb, ko + 4, node.prefixlen)];
    }
    return found;
  }

  /** trie_check_add_elem. */
  private checkAdd(flags: number): number {
    if (flags === BPF_EXIST) return -ENOENT;
    if (this.entries_ === this.maxEntries) return -ENOSPC;
    this.entries_++;
    return 0;
  }

  /** trie_update_elem. */
  private updateNode(kb: Uint8Array, ko: number, vb: Uint8Array, vo: number, flags: number): number {
    if (flags < 0 || flags > BPF_EXIST) return -EINVAL;
    const plen = readU32(kb, ko);
    if (plen > this.maxPrefixlen) return -EINVAL;
    let slot: Slot = { parent: null, bit: 0 };
    let node: LpmNode | null;
    let m = 0;
    while ((node = this.get(slot)) !== null) {
      m = this.match(node, kb, ko, plen);
      if (node.prefixlen !== m || node.prefixlen === plen) break;
      slot = { parent: node, bit: extractBit(kb, ko + 4, node.prefixlen) };
    }
    const make = (): LpmNode => {
      const n = this.newNode(plen, kb, ko + 4, false);
      copyBytes(n.value, 0, vb, vo, this.valueSize);
      return n;
    };
    if (node === null) {
      const err = this.checkAdd(flags);
      if (err !== 0) return err;
      this.set(slot, make());
      return 0;
    }
    if (node.prefixlen === m) {
      // the exact prefix exists (maybe as an intermediate node): replace the node
      if (!node.im) {
        if (flags === BPF_NOEXIST) return -EEXIST;
      } else {
        const err = this.checkAdd(flags);
        if (err !== 0) return err;
      }
      const n = make();
      n.child[0] = node.child[0];
      n.child[1] = node.child[1];
      this.set(slot, n);
      this.dropNode(node);
      return 0;
    }
    const err = this.checkAdd(flags);
    if (err !== 0) return err;
    const n = make();
    if (m === plen) {
      // the new prefix covers the node: insert it above
      n.child[extractBit(node.data, 0, m)] = node;
      this.set(slot, n);
      return 0;
    }
    const im = this.newNode(m, node.data, 0, true);
    if (extractBit(kb, ko + 4, m)) {
      im.child[0] = node;
      im.child[1] = n;
    } else {
      im.child[0] = n;
      im.child[1] = node;
    }
    this.set(slot, im);
    return 0;
  }

  /** trie_delete_elem. */
  private deleteNode(kb: Uint8Array, ko: number): number {
    const plen = readU32(kb, ko);
    if (plen > this.maxPrefixlen) return -EINVAL;
    let trim: Slot = { parent: null, bit: 0 };
    let trim2: Slot = trim;
    let parent: LpmNode | null = null;
    let node: LpmNode | null;
    let m = 0;
    while ((node = this.get(trim)) !== null) {
      m = this.match(node, kb, ko, plen);
      if (node.prefixlen !== m || node.prefixlen === plen) break;
      parent = node;
      trim2 = trim;
      trim = { parent: node, bit: extractBit(kb, ko + 4, node.prefixlen) };
    }
    if (node === null || node.prefixlen !== plen || node.prefixlen !== m || node.im) return -ENOENT;
    this.entries_--;
    if (node.child[0] !== null && node.child[1] !== null) {
      // two children: the node stays as an intermediate one
      node.im = true;
      this.dropNode(node);
      return 0;
    }
    if (parent !== null && parent.im && node.child[0] === null && node.child[1] === null) {
      // drop the intermediate parent too and promote the sibling
      this.set(trim2, node === parent.child[0] ? parent.child[1] : parent.child[0]);
      this.dropNode(node);
      return 0;
    }
    this.set(trim, node.child[0] ?? node.child[1]);
    this.dropNode(node);
    return 0;
  }

  /** trie_get_next_key: postorder successor of the key's node; an unknown or missing key gives the first. */
  private nextKey(key: Uint8Array | null, out: Uint8Array): number {
    const root = this.root;
    if (root === null) return -ENOENT;
    let next: LpmNode | null = null;
    let searchRoot: LpmNode | null = root;
    found: if (key !== null && readU32(key, 0) <= this.maxPrefixlen) {
      const plen = readU32(key, 0);
      const stack: LpmNode[] = [];
      let node: LpmNode | null = root;
      let m = 0;
      while (node !== null) {
        stack.push(node);
        m = this.match(node, key, 0, plen);
        if (node.prefixlen !== m || node.prefixlen === plen) break;
        node = node.child[extractBit(key, 4, node.prefixlen)];
      }
      if (node === null || node.prefixlen !== m || node.im) break found;
      let cur: LpmNode = stack[stack.length - 1]!;
      for (let sp = stack.length - 1; sp > 0; sp--) {
        const p: LpmNode = stack[sp - 1]!;
        if (p.child[0] === cur) {
          searchRoot = p.child[1];
          if (searchRoot !== null) break found;
        }
        if (!p.im) {
          next = p;
          break;
        }
        cur = p;
      }
      if (next === null) return -ENOENT;
      searchRoot = null;
    }
    if (searchRoot !== null) {
      // find_leftmost: the first node in postorder under searchRoot
      for (let node: LpmNode | null = searchRoot; node !== null; ) {
        if (node.im) node = node.child[0];
        else {
          next = node;
          node = node.child[0] ?? next.child[1];
        }
      }
    }
    writeU32(out, 0, next!.prefixlen);
    copyBytes(out, 4, next!.data, 0, this.dataSize);
    return 0;
  }

  private dropNode(node: LpmNode): void {
    if (node.region !== 0) {
      this.retireValueRegion(node.region, false);
      node.region = 0;
    }
  }

  // ---- user space -----------------------------------------------------------------------------------

  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const node = this.lookupNode(key!, 0);
    if (node === null) return -ENOENT;
    this.copyOut(out, 0, node.value, 0, this.valueSize);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    return this.updateNode(key!, 0, value, 0, flags);
  }

  protected sysDelete(key: Uint8Array | null): number {
    return this.deleteNode(key!, 0);
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    return this.nextKey(key, out);
  }

  // ---- programs -------------------------------------------------------------------------------------

  override lookupPtr(kb: Uint8Array, ko: number, _cpu: number): number {
    const node = this.lookupNode(kb, ko);
    if (node === null) return 0;
    if (node.region === 0) node.region = this.newValueRegion(node.value, node.serial, 0);
    return node.region;
  }

  override updateFromProg(kb: Uint8Array, ko: number, vb: Uint8Array, vo: number, flags: number, _cpu: number): number {
    return this.updateNode(kb, ko, vb, vo, progFlags(flags));
  }

  override deleteFromProg(kb: Uint8Array, ko: number, _cpu: number): number {
    return this.deleteNode(kb, ko);
  }

  protected onFree(): void {
    const stack: LpmNode[] = this.root === null ? [] : [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      this.dropNode(n);
      if (n.child[0] !== null) stack.push(n.child[0]);
      if (n.child[1] !== null) stack.push(n.child[1]);
    }
    this.root = null;
  }
}

/** extract_bit: bit `index` of the big-endian bit string at buf[off..]. */
function extractBit(buf: Uint8Array, off: number, index: number): 0 | 1 {
  return ((buf[off + (index >>> 3)]! >>> (7 - (index & 7))) & 1) as 0 | 1;
}
