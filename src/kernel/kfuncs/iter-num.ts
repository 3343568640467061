/**
 * The numbers iterator of kernel/bpf/bpf_iter.c (6.18), the generic open-coded iterator every
 * program type may use: `bpf_iter_num_new(&it, start, end)` walks [start, end). Its state lives in
 * the iterator's 8 bytes on the BPF stack as the kernel lays it out (`int cur; int end;`), and
 * `bpf_iter_num_next` returns a pointer to `cur` there, so the implementation keeps nothing.
 */
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';
import { Memory } from '../../vm/memory.js';

/** BPF_MAX_LOOPS: the longest range bpf_iter_num_new accepts. */
const BPF_MAX_LOOPS = 8 * 1024 * 1024;
const EINVAL = 22;
const E2BIG = 7;

function state({ m, args }: KfuncCall): DataView {
  const [id, off] = Memory.split(args[0]!);
  const b = m.bytesAt(id, off, 8, true, 'bpf_iter_num');
  return new DataView(b.buffer, b.byteOffset, 8);
}

/** Register `struct bpf_iter_num` and its three kfuncs into `k`. */
export function installIterNum(k: Kernel): void {
  k.registerStruct({ name: 'bpf_iter_num', members: [{ name: '__opaque', type: 'u64[1]' }] });
  const it = [{ name: 'it', type: 'struct bpf_iter_num *' }];
  k.registerKfunc({
    name: 'bpf_iter_num_new',
    proto: { ret: 'int', params: [...it, { name: 'start', type: 'int' }, { name: 'end', type: 'int' }] },
    flags: { iter: 'new' },
    impl: (call) => {
      const s = state(call);
      const start = Number(BigInt.asIntN(32, call.args[1]!));
      const end = Number(BigInt.asIntN(32, call.args[2]!));
      // an empty range (start == end) is fine: the first next() returns NULL
      const err = start > end ? -EINVAL : end - start > BPF_MAX_LOOPS ? -E2BIG : 0;
      s.setInt32(0, err === 0 ? start - 1 : 0, true);
      s.setInt32(4, err === 0 ? end : 0, true);
      return err;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_num_next',
    proto: { ret: 'int *', params: it },
    flags: { iter: 'next', retNull: true },
    impl: (call) => {
      const s = state(call);
      const cur = s.getInt32(0, true);
      if (cur + 1 >= s.getInt32(4, true)) {
        s.setBigUint64(0, 0n, true);
        return 0n;
      }
      s.setInt32(0, cur + 1, true);
      return call.args[0]!;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_num_destroy',
    proto: { ret: 'void', params: it },
    flags: { iter: 'destroy' },
    impl: (call) => {
      state(call).setBigUint64(0, 0n, true);
      return 0;
    },
  });
}
