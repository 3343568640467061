/**
 * Corpus group pkt: direct packet access (check_packet_access, find_good_pkt_pointers through
 * every comparison form, may_access_direct_pkt_data per program type, pkt_meta, pkt_end, packet
 * pointer invalidation by packet-changing helpers, ranges kept through copies and spills, packet
 * alignment under BPF_F_STRICT_ALIGNMENT).
 *
 * Most cases start with r2 = data, r3 = data_end (XDP: xdp_md off 0/4; sched_cls, cgroup_skb and
 * flow_dissector: __sk_buff off 76/80) and end at `out: r0 = 0; exit`.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const XDP = 6;
const CGROUP_SKB = 8;
const FLOW_DISSECTOR = 22;

const BPF_FLOW_DISSECTOR = 17;
const STRICT_ALIGNMENT = 1;

const FN_GET_PRANDOM_U32 = 7;
const FN_SKB_PULL_DATA = 39;
const FN_XDP_ADJUST_HEAD = 44;
const FN_XDP_ADJUST_TAIL = 65;

/** r2 = data, r3 = data_end for the program type. */
function prologue(progType: number): string {
  return progType === XDP ? 'ldxw r2, [r1+0]\nldxw r3, [r1+4]' : 'ldxw r2, [r1+76]\nldxw r3, [r1+80]';
}

/** A packet case: prologue, body, then `out: r0 = 0; exit`. */
function pkt(name: string, what: string, progType: number, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'pkt', what, progType, asm: `${prologue(progType)}\n${body}\nout:\nmov r0, 0\nexit`, ...extra };
}

/** r4 = data + n. */
const end = (n: number): string => `mov r4, r2\nadd r4, ${n}`;

/**
 * The eight comparison forms between r4 = data + 14 and r3 = data_end; `safe` is the branch on
 * which the comparison proves data + 14 <= data_end, `strict` when it even proves data + 14 < end
 * (then the kernel grants one byte more).
 */
const FORMS: readonly { readonly id: string; readonly insn: string; readonly text: string; readonly safe: 'fall' | 'taken'; readonly strict: boolean }[] = [
  { id: 'jgt', insn: 'jgt r4, r3', text: 'if data+14 > end', safe: 'fall', strict: false },
  { id: 'jge', insn: 'jge r4, r3', text: 'if data+14 >= end', safe: 'fall', strict: true },
  { id: 'jlt', insn: 'jlt r4, r3', text: 'if data+14 < end', safe: 'taken', strict: true },
  { id: 'jle', insn: 'jle r4, r3', text: 'if data+14 <= end', safe: 'taken', strict: false },
  { id: 'jgt-rev', insn: 'jgt r3, r4', text: 'if end > data+14', safe: 'taken', strict: true },
  { id: 'jge-rev', insn: 'jge r3, r4', text: 'if end >= data+14', safe: 'taken', strict: false },
  { id: 'jlt-rev', insn: 'jlt r3, r4', text: 'if end < data+14', safe: 'fall', strict: false },
  { id: 'jle-rev', insn: 'jle r3, r4', text: 'if end <= data+14', safe: 'fall', strict: true },
];

/** `access` on the fall-through or on the taken branch of the comparison. */
function onBranch(insn: string, branch: 'fall' | 'taken', access: string): string {
  return branch === 'fall' ? `${insn}, out\n${access}` : `${insn}, ok\nja out\nok:\n${access}`;
}

const formCases: VerifierCase[] = FORMS.flatMap((f) => {
  const unsafe = f.safe === 'fall' ? 'taken' : 'fall';
  const branchName = (b: 'fall' | 'taken'): string => (b === 'fall' ? 'fall-through' : 'taken branch');
  return [
    pkt(`pkt-cmp-${f.id}-safe`, `${f.text}: its ${branchName(f.safe)} proves 14 bytes, the last one (off 13) is readable`, XDP,
      `${end(14)}\n${onBranch(f.insn, f.safe, 'ldxb r5, [r2+13]')}`),
    pkt(`pkt-cmp-${f.id}-unsafe`, `${f.text}: its ${branchName(unsafe)} proves nothing, reading off 13 there is refused`, XDP,
      `${end(14)}\n${onBranch(f.insn, unsafe, 'ldxb r5, [r2+13]')}`),
    pkt(`pkt-cmp-${f.id}-one-past`,
      f.strict
        ? `${f.text}: its ${branchName(f.safe)} proves data+14 < end, so 15 bytes: reading off 14 is allowed`
        : `${f.text}: its ${branchName(f.safe)} proves data+14 <= end, 14 bytes: reading off 14 is refused`,
      XDP,
      `${end(14)}\n${onBranch(f.insn, f.safe, 'ldxb r5, [r2+14]')}`),
  ];
});

export const CASES: VerifierCase[] = [
  // --- basic reads ----------------------------------------------------------------------------
  pkt('pkt-xdp-read-checked', 'XDP: after if (data+14 > end) goto out, the fall-through reads byte 13', XDP, `${end(14)}\njgt r4, r3, out\nldxb r5, [r2+13]`),
  pkt('pkt-xdp-read-unchecked', 'XDP: a packet read without any data_end check is refused', XDP, 'ldxb r5, [r2+0]'),
  pkt('pkt-xdp-read-past-range', 'XDP: with 14 bytes proven, reading byte 14 is refused', XDP, `${end(14)}\njgt r4, r3, out\nldxb r5, [r2+14]`),
  pkt('pkt-xdp-read-straddle', 'XDP: a 2-byte read at 13 with 14 bytes proven runs one byte past the range', XDP, `${end(14)}\njgt r4, r3, out\nldxh r5, [r2+13]`),
  pkt('pkt-xdp-read-dw-to-range-end', 'XDP: an 8-byte read at 6 ends exactly at the proven 14 bytes', XDP, `${end(14)}\njgt r4, r3, out\nldxdw r5, [r2+6]`),
  pkt('pkt-xdp-read-negative-off', 'XDP: a read at data-1 is refused even after the check', XDP, `${end(14)}\njgt r4, r3, out\nldxb r5, [r2-1]`),
  pkt('pkt-xdp-read-via-checked-ptr', 'XDP: the checked pointer data+14 itself may be read backwards ([r4-1])', XDP, `${end(14)}\njgt r4, r3, out\nldxb r5, [r4-1]`),
  pkt('pkt-xdp-read-via-checked-ptr-at-end', 'XDP: reading at the checked pointer data+14 itself is past the range', XDP, `${end(14)}\njgt r4, r3, out\nldxb r5, [r4+0]`),
  pkt('pkt-tc-read-checked', 'sched_cls: a checked packet read', SCHED_CLS, `${end(14)}\njgt r4, r3, out\nldxw r5, [r2+10]`),
  pkt('pkt-tc-read-unchecked', 'sched_cls: a packet read without a data_end check is refused', SCHED_CLS, 'ldxw r5, [r2+10]'),
  pkt('pkt-cgskb-read-checked', 'cgroup_skb: a checked packet read', CGROUP_SKB, `${end(14)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cgskb-read-unchecked', 'cgroup_skb: a packet read without a data_end check is refused', CGROUP_SKB, 'ldxb r5, [r2+0]'),
  pkt('pkt-fd-read-checked', 'flow_dissector: a checked packet read', FLOW_DISSECTOR, `${end(14)}\njgt r4, r3, out\nldxb r5, [r2+0]`, { attachType: BPF_FLOW_DISSECTOR }),

  // --- comparison forms (generated) -----------------------------------------------------------
  ...formCases,
  pkt('pkt-cmp-jsgt-no-range', 'a signed comparison (jsgt) with data_end proves no range', XDP, `${end(14)}\njsgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-jeq-no-range', 'jne/jeq with data_end proves no range', XDP, `${end(14)}\njne r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-jmp32-no-range', 'a 32-bit comparison (jgt32) of packet pointers is allowed as root but proves no range', XDP, `${end(14)}\njgt32 r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-pkt-vs-pkt-no-range', 'comparing data+14 with data (not data_end) proves no range', XDP, `${end(14)}\njgt r4, r2, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-ranges-grow', 'a second, longer check extends the range (8 then 14 bytes)', XDP,
    `mov r4, r2\nadd r4, 8\njgt r4, r3, out\nldxb r5, [r2+7]\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+13]`),
  pkt('pkt-cmp-ranges-keep-max', 'a shorter check after a longer one does not shrink the range', XDP,
    `${end(14)}\njgt r4, r3, out\nmov r4, r2\nadd r4, 8\njgt r4, r3, out\nldxb r5, [r2+13]`),
  pkt('pkt-cmp-max-packet-off', 'a check of data + 0xffff (MAX_PACKET_OFF) gives a range', XDP, `${end(0xffff)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-beyond-max-packet-off', 'a check of data + 0x10000 (beyond MAX_PACKET_OFF) gives no range', XDP, `${end(0x10000)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-cmp-zero-off', 'a check of data itself (off 0) proves nothing', XDP, 'jgt r2, r3, out\nldxb r5, [r2+0]'),

  // --- constant and variable offsets ----------------------------------------------------------
  pkt('pkt-const-add-after-check', 'adding a constant after the check keeps the range: data+4, then [+9] is byte 13', XDP, `${end(14)}\njgt r4, r3, out\nadd r2, 4\nldxb r5, [r2+9]`),
  pkt('pkt-const-add-after-check-past', 'data+4 after a 14-byte check: [+10] is byte 14, refused', XDP, `${end(14)}\njgt r4, r3, out\nadd r2, 4\nldxb r5, [r2+10]`),
  pkt('pkt-const-add-back', 'data+4 then [-4] reads byte 0', XDP, `${end(14)}\njgt r4, r3, out\nadd r2, 4\nldxb r5, [r2-4]`),
  pkt('pkt-var-off-before-check', 'a bounded variable (0..255) added before the check: the check covers it', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xff\nadd r2, r5\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+13]`),
  pkt('pkt-var-off-after-check', 'a variable added after the check makes a new pointer with no range', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xff\n${end(14)}\njgt r4, r3, out\nadd r2, r5\nldxb r5, [r2+0]`),
  pkt('pkt-var-off-after-check-rechecked', 'a variable added after the first check, then checked again', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xff\n${end(14)}\njgt r4, r3, out\nadd r2, r5\n${end(1)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-var-off-0x7fff', 'a variable up to 0x7fff plus 14 stays below MAX_PACKET_OFF: the check gives a range', XDP,
    `ldxw r5, [r1+12]\nand r5, 0x7fff\nadd r2, r5\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-var-off-0xffff', 'a variable up to 0xffff plus 14 may exceed MAX_PACKET_OFF: the check gives no range', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xffff\nadd r2, r5\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-var-off-unbounded', 'an unmasked u32 added to data: no check can give a range', XDP,
    `ldxw r5, [r1+12]\nadd r2, r5\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+0]`),
  pkt('pkt-var-off-in-end-ptr', 'the variable is in the compared pointer only: data+var+14 > end proves nothing for data', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xff\nmov r4, r2\nadd r4, r5\nadd r4, 14\njgt r4, r3, out\nldxb r5, [r2+0]`),

  // --- writes ---------------------------------------------------------------------------------
  pkt('pkt-xdp-write-checked', 'XDP may write the packet after a check', XDP, `${end(14)}\njgt r4, r3, out\nstb [r2+0], 1`),
  pkt('pkt-xdp-write-unchecked', 'XDP: a packet write without a check is refused', XDP, 'stb [r2+0], 1'),
  pkt('pkt-xdp-write-past-range', 'XDP: a 4-byte write at 12 with 14 bytes proven is refused', XDP, `${end(14)}\njgt r4, r3, out\nstw [r2+12], 1`),
  pkt('pkt-tc-write-checked', 'sched_cls may write the packet after a check', SCHED_CLS, `${end(14)}\njgt r4, r3, out\nmov r5, 0\nstxw [r2+0], r5`),
  pkt('pkt-cgskb-write-refused', 'cgroup_skb may read but not write the packet', CGROUP_SKB, `${end(14)}\njgt r4, r3, out\nstb [r2+0], 1`),
  pkt('pkt-fd-write-refused', 'flow_dissector may read but not write the packet', FLOW_DISSECTOR, `${end(14)}\njgt r4, r3, out\nstb [r2+0], 1`, { attachType: BPF_FLOW_DISSECTOR }),
  pkt('pkt-xdp-atomic-refused', 'an atomic add into the packet is refused even when in range', XDP, `${end(14)}\njgt r4, r3, out\nmov r5, 1\nlock add32 [r2+0], r5`),

  // --- pkt_meta and pkt_end -------------------------------------------------------------------
  pkt('pkt-xdp-meta-read-checked', 'XDP: data_meta + 4 <= data proves 4 bytes of metadata', XDP,
    'ldxw r6, [r1+8]\nmov r4, r6\nadd r4, 4\njgt r4, r2, out\nldxw r5, [r6+0]'),
  pkt('pkt-xdp-meta-read-unchecked', 'XDP: reading data_meta without comparing it with data is refused', XDP, 'ldxw r6, [r1+8]\nldxw r5, [r6+0]'),
  pkt('pkt-xdp-meta-read-past', 'XDP: 4 bytes of metadata proven, reading 4 at off 1 is refused', XDP,
    'ldxw r6, [r1+8]\nmov r4, r6\nadd r4, 4\njgt r4, r2, out\nldxw r5, [r6+1]'),
  pkt('pkt-xdp-meta-vs-end-no-range', 'XDP: comparing data_meta + 4 with data_end (not data) proves nothing', XDP,
    'ldxw r6, [r1+8]\nmov r4, r6\nadd r4, 4\njgt r4, r3, out\nldxw r5, [r6+0]'),
  pkt('pkt-xdp-meta-write-checked', 'XDP may write checked metadata', XDP,
    'ldxw r6, [r1+8]\nmov r4, r6\nadd r4, 4\njgt r4, r2, out\nstw [r6+0], 7'),
  pkt('pkt-tc-meta-read-checked', 'sched_cls: data_meta (off 140) + 4 <= data proves 4 bytes', SCHED_CLS,
    'ldxw r6, [r1+140]\nmov r4, r6\nadd r4, 4\njgt r4, r2, out\nldxw r5, [r6+0]'),
  pkt('pkt-end-deref-refused', 'pkt_end may not be dereferenced', XDP, 'ldxb r5, [r3-1]'),
  pkt('pkt-end-arith-refused', 'arithmetic on pkt_end is refused', XDP, 'add r3, -1'),
  pkt('pkt-end-minus-data-scalar', 'as root, data_end - data gives a scalar (the length), usable as a scalar', XDP, 'mov r5, r3\nsub r5, r2\njgt r5, 100, out'),

  // --- invalidation by packet-changing helpers ------------------------------------------------
  pkt('pkt-xdp-adjust-head-stale', 'a packet pointer checked before bpf_xdp_adjust_head is invalid after it', XDP,
    `mov r6, r1\nmov r7, r2\n${end(14)}\njgt r4, r3, out\nldxb r5, [r7+0]\nmov r1, r6\nmov r2, 0\ncall ${FN_XDP_ADJUST_HEAD}\nldxb r5, [r7+0]`),
  pkt('pkt-xdp-adjust-head-reload', 'after bpf_xdp_adjust_head, data and data_end reloaded and checked again are readable', XDP,
    `mov r6, r1\nmov r1, r6\nmov r2, 0\ncall ${FN_XDP_ADJUST_HEAD}\nldxw r2, [r6+0]\nldxw r3, [r6+4]\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+13]`),
  pkt('pkt-xdp-adjust-head-reload-unchecked', 'after bpf_xdp_adjust_head, a reloaded data pointer needs a new check', XDP,
    `mov r6, r1\n${end(14)}\njgt r4, r3, out\nmov r1, r6\nmov r2, 0\ncall ${FN_XDP_ADJUST_HEAD}\nldxw r2, [r6+0]\nldxb r5, [r2+0]`),
  pkt('pkt-xdp-adjust-head-stale-spill', 'a checked packet pointer spilled to the stack is invalidated too', XDP,
    `mov r6, r1\n${end(14)}\njgt r4, r3, out\nstxdw [r10-8], r2\nmov r1, r6\nmov r2, 0\ncall ${FN_XDP_ADJUST_HEAD}\nldxdw r7, [r10-8]\nldxb r5, [r7+0]`),
  pkt('pkt-xdp-adjust-tail-stale', 'bpf_xdp_adjust_tail invalidates packet pointers as well', XDP,
    `mov r6, r1\nmov r7, r2\n${end(14)}\njgt r4, r3, out\nmov r1, r6\nmov r2, 0\ncall ${FN_XDP_ADJUST_TAIL}\nldxb r5, [r7+0]`),
  pkt('pkt-xdp-other-helper-keeps', 'a helper that does not change the packet (bpf_get_prandom_u32) keeps checked pointers', XDP,
    `mov r7, r2\n${end(14)}\njgt r4, r3, out\ncall ${FN_GET_PRANDOM_U32}\nldxb r5, [r7+13]`),
  pkt('pkt-tc-pull-data-stale', 'sched_cls: bpf_skb_pull_data invalidates a checked packet pointer', SCHED_CLS,
    `mov r6, r1\nmov r7, r2\n${end(14)}\njgt r4, r3, out\nmov r1, r6\nmov r2, 0\ncall ${FN_SKB_PULL_DATA}\nldxb r5, [r7+0]`),
  pkt('pkt-tc-pull-data-reload', 'sched_cls: after bpf_skb_pull_data, reloaded and rechecked pointers are readable', SCHED_CLS,
    `mov r6, r1\nmov r1, r6\nmov r2, 14\ncall ${FN_SKB_PULL_DATA}\nldxw r2, [r6+76]\nldxw r3, [r6+80]\n${end(14)}\njgt r4, r3, out\nldxb r5, [r2+13]`),

  // --- copies and spills ----------------------------------------------------------------------
  pkt('pkt-copy-before-check', 'a copy of data made before the check shares its id and gets the range', XDP, `mov r9, r2\n${end(14)}\njgt r4, r3, out\nldxb r5, [r9+13]`),
  pkt('pkt-copy-var-before-check', 'a copy moved by a variable before the check has another id and gets no range', XDP,
    `ldxw r5, [r1+12]\nand r5, 3\nmov r9, r2\nadd r9, r5\n${end(14)}\njgt r4, r3, out\nldxb r5, [r9+0]`),
  pkt('pkt-spill-after-check', 'a checked pointer spilled and filled back keeps its range', XDP, `${end(14)}\njgt r4, r3, out\nstxdw [r10-8], r2\nldxdw r9, [r10-8]\nldxb r5, [r9+13]`),
  pkt('pkt-spill-after-check-past', 'a filled-back checked pointer is still limited to its range', XDP, `${end(14)}\njgt r4, r3, out\nstxdw [r10-8], r2\nldxdw r9, [r10-8]\nldxb r5, [r9+14]`),
  pkt('pkt-spill-before-check', 'a pointer spilled before the check gets the range in its stack slot too', XDP, `stxdw [r10-8], r2\n${end(14)}\njgt r4, r3, out\nldxdw r9, [r10-8]\nldxb r5, [r9+13]`),
  pkt('pkt-spill-narrow-fill', 'a 4-byte fill of a spilled packet pointer is refused', XDP, `${end(14)}\njgt r4, r3, out\nstxdw [r10-8], r2\nldxw r9, [r10-8]`),

  // --- alignment ------------------------------------------------------------------------------
  pkt('pkt-align-nonstrict', 'without BPF_F_STRICT_ALIGNMENT a 4-byte packet read at off 1 is accepted', XDP, `${end(14)}\njgt r4, r3, out\nldxw r5, [r2+1]`),
  pkt('pkt-align-strict-ip-aligned', 'strict alignment assumes NET_IP_ALIGN 2: a 4-byte read at off 2 is aligned', XDP, `${end(14)}\njgt r4, r3, out\nldxw r5, [r2+2]`, { progFlags: STRICT_ALIGNMENT }),
  pkt('pkt-align-strict-off0', 'strict alignment: a 4-byte read at off 0 is misaligned (2 + 0)', XDP, `${end(14)}\njgt r4, r3, out\nldxw r5, [r2+0]`, { progFlags: STRICT_ALIGNMENT }),
  pkt('pkt-align-strict-var', 'strict alignment: a variable offset that may be odd makes a 2-byte read misaligned', XDP,
    `ldxw r5, [r1+12]\nand r5, 0xff\nadd r2, r5\n${end(14)}\njgt r4, r3, out\nldxh r5, [r2+0]`, { progFlags: STRICT_ALIGNMENT }),
];
