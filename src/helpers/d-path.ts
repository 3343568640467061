/**
 * bpf_d_path (147): the path of a `struct path` (a file's `f_path`) written into a buffer, over the
 * emulated file system (kernel/objects/vfs.ts), as kernel/trace/bpf_trace.c and fs/d_path.c of
 * Linux 6.18 do it.
 *
 * Who may call it (bpf_d_path_allowed): get_func_proto offers it to tracing, LSM and syscall
 * programs (recorded, test/helpers/helper-protos.json), and the verifier's `allowed` check then
 * keeps only iterator programs (BPF_TRACE_ITER), LSM programs on a hook of the kernel's sleepable
 * set (bpf_lsm_is_sleepable_hook: file_open, bprm_check_security, ...; whether or not the program
 * itself is sleepable) and tracing programs attached to one of the functions of
 * btf_allowlist_d_path; every other caller gets "helper call is not allowed in probe" (EINVAL) at
 * load. Seen live on 6.18: iterators pass, tp_btf and syscall programs get that message
 * (helper-protos.json's argument probes). The LSM and fentry cases come from the kernel sources
 * (kernel/trace/bpf_trace.c, kernel/bpf/bpf_lsm.c): this kernel build refuses LSM and fentry loads
 * with EPERM.
 *
 * What it returns and writes (recorded on 6.18 through an iterator,
 * test/helpers/golden/d-path-live.json): with `sz` 0 it returns 0 and writes nothing; the path with
 * its NUL is built at the end of the buffer and, when it fits, moved to the start - the function
 * returns its length with the NUL, and the bytes after the NUL keep what was there, except the
 * tail of the buffer that still holds the copy built at the end; when it does not fit it returns
 * -ENAMETOOLONG and the buffer holds the last `sz` bytes of the path with its NUL (d_path fills
 * as much as fits from the end of each name). A path pointer the kernel cannot read gives -EFAULT
 * (copy_from_kernel_nofault); a (mnt, dentry) pair that is not one of the emulated file system's
 * gives -EFAULT too (the kernel would walk whatever memory it points to).
 */
import { ProgType as P, AttachType as A } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { Memory } from '../vm/memory.js';
import { memArgOrZero } from './args.js';
import { hostOf } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

const EFAULT = 14;
const ENAMETOOLONG = 36;

/**
 * btf_allowlist_d_path (kernel/trace/bpf_trace.c), with CONFIG_SECURITY and CONFIG_SECURITY_PATH
 * set as on the 6.18 machine: the functions a tracing program may call bpf_d_path from.
 */
export const D_PATH_ALLOWLIST: ReadonlySet<string> = new Set([
  'security_file_permission',
  'security_inode_getattr',
  'security_file_open',
  'security_path_truncate',
  'vfs_truncate',
  'vfs_fallocate',
  'dentry_open',
  'vfs_getattr',
  'filp_close',
]);

/**
 * sleepable_lsm_hooks (kernel/bpf/bpf_lsm.c), hook names without the `bpf_lsm_` prefix, with
 * CONFIG_SECURITY_NETWORK and CONFIG_SECURITY_PATH set.
 */
export const SLEEPABLE_LSM_HOOKS: ReadonlySet<string> = new Set(
  (
    'bpf bpf_map bpf_map_create bpf_map_free bpf_prog bpf_prog_load bpf_prog_free bpf_token_create bpf_token_free bpf_token_cmd ' +
    'bpf_token_capable bprm_check_security bprm_committed_creds bprm_committing_creds bprm_creds_for_exec bprm_creds_from_file ' +
    'capget capset cred_prepare file_ioctl file_lock file_open file_post_open file_receive inode_create inode_free_security ' +
    'inode_getattr inode_getxattr inode_mknod inode_need_killpriv inode_post_setxattr inode_readlink inode_rename inode_rmdir ' +
    'inode_setattr inode_setxattr inode_symlink inode_unlink kernel_module_request kernel_read_file kernfs_init_security ' +
    'path_unlink path_mkdir path_rmdir path_truncate path_symlink path_link path_rename path_chmod path_chown mmap_file ' +
    'netlink_send path_notify release_secctx sb_alloc_security sb_eat_lsm_opts sb_kern_mount sb_mount sb_remount ' +
    'sb_set_mnt_opts sb_show_options sb_statfs sb_umount settime inet_conn_established socket_accept socket_bind ' +
    'socket_connect socket_create socket_getpeername socket_getpeersec_dgram socket_getsockname socket_getsockopt ' +
    'socket_listen socket_post_create socket_recvmsg socket_sendmsg socket_shutdown socket_socketpair syslog task_alloc ' +
    'current_getsecid_subj task_getsecid_obj task_prctl task_setscheduler task_to_inode userns_create'
  ).split(' '),
);

/** bpf_d_path_allowed: whether a program attached as described may call bpf_d_path. */
export function dPathAllowed(prog: { readonly type: number; readonly expectedAttachType: number; readonly attachName: string }): boolean {
  if (prog.type === P.TRACING && prog.expectedAttachType === A.TRACE_ITER) return true;
  if (prog.type === P.LSM) return SLEEPABLE_LSM_HOOKS.has(prog.attachName.replace(/^bpf_lsm_/, ''));
  return prog.type === P.TRACING && D_PATH_ALLOWLIST.has(prog.attachName);
}

/** The 'vfs' service's path walk (kernel/objects/vfs.ts). */
interface PathWalker {
  pathOf(mnt: bigint, dentry: bigint): string | undefined;
}

function bpfDPath(m: Machine): void {
  const H = 'bpf_d_path';
  const sz = m.argU32(3);
  if (sz === 0) return m.setR0(0, 0);
  const off = memArgOrZero(m, 2, sz, true, H, 'buf');
  // copy_from_kernel_nofault(&copy, path, sizeof(struct path)): mnt, then dentry
  const [region, at] = Memory.split(m.argU64(1));
  const raw = m.mem.read(region, at, 16);
  if (raw === undefined) return m.setR0Big(BigInt(-EFAULT));
  const dv = new DataView(raw.buffer, raw.byteOffset, 16);
  const path = hostOf(m).service<PathWalker>('vfs')?.pathOf(dv.getBigUint64(0, true), dv.getBigUint64(8, true));
  if (path === undefined) return m.setR0Big(BigInt(-EFAULT));
  const s = new TextEncoder().encode(`${path}\0`);
  const buf = m.mem.bytes(m.hi[2]!);
  if (s.length > sz) {
    buf.set(s.subarray(s.length - sz), off);
    return m.setR0Big(BigInt(-ENAMETOOLONG));
  }
  // built at the end, then moved to the start (memmove)
  buf.set(s, off + sz - s.length);
  buf.set(s, off);
  m.setR0(s.length, 0);
}

const D_PATH_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'btf_id', btfType: 'path' }, { kind: 'mem', uninit: true }, { kind: 'size_or_zero' }] };

/** bpf_d_path. */
export function dPathHelpers(): HelperDef[] {
  return [{ id: 147, name: 'd_path', fn: bpfDPath, proto: D_PATH_PROTO, progTypes: [P.TRACING, P.LSM, P.SYSCALL], allowedIn: dPathAllowed, family: 'tracing' }];
}
