/**
 * Socket options of a simulated TCP socket, as bpf_setsockopt / bpf_getsockopt called from a
 * congestion control see them on Linux 6.18 (net/core/filter.c sol_socket_sockopt,
 * sol_tcp_sockopt, sol_tcp_sockopt_congestion, bpf_sol_tcp_setsockopt; net/ipv4/tcp_cong.c
 * tcp_set_congestion_control). Every answer below was measured on the 6.18 machine from inside a
 * congestion control's `init` on a loopback connection
 * (test/subsystems/tcp_cc/goldens/sockopt-6.18.json, fixture tcp_cc_kernel_sockopt):
 *
 * | level, option | set | get |
 * |---|---|---|
 * | SOL_TCP TCP_CONGESTION | optlen < 2 EINVAL; "cdg" ENOTSUPP; unknown ENOENT; nested change (from the `init` a change runs) EBUSY; the current name 0 without re-init; else the switch (old `release` only if its `init` had returned, icsk_ca_priv zeroed, new `init`) | optlen < 2 EINVAL; else optlen − 1 bytes of the name, NUL last |
 * | SOL_TCP TCP_BPF_IW | int > 0 sets snd_cwnd; EINVAL once data was sent or val ≤ 0 | EINVAL |
 * | SOL_TCP TCP_BPF_SNDCWND_CLAMP | int > 0 sets snd_cwnd_clamp, snd_cwnd = min(snd_cwnd, clamp); val ≤ 0 EINVAL | EINVAL |
 * | SOL_TCP TCP_BPF_RTO_MIN, TCP_BPF_DELACK_MAX | µs, 2 jiffies .. 200 ms (HZ 1000 here) else EINVAL; RTO_MIN is the simulator's minimum RTO | EINVAL |
 * | SOL_TCP TCP_NODELAY | EOPNOTSUPP (6.18 refuses it from a congestion control) | 0 (0/1) |
 * | SOL_TCP TCP_MAXSEG, TCP_KEEPIDLE, TCP_WINDOW_CLAMP | 0 (kept, no effect on the simulation) | not modelled |
 * | SOL_SOCKET SO_MAX_PACING_RATE | int (~0U means unlimited) into sk_max_pacing_rate | 0, min(rate, ~0U) |
 * | SOL_SOCKET SO_SNDBUF | 0; kept as min(val, wmem_max) × 2 | 0, the doubled value |
 * | SOL_SOCKET SO_PRIORITY, SO_KEEPALIVE; SOL_IP IP_TOS | 0 (kept) | SO_PRIORITY: 0, the value |
 * | any option of SOL_SOCKET / SOL_TCP / SOL_IP with optlen ≠ 4 | EINVAL | EINVAL |
 * | an unknown SOL_TCP option, an unknown level | EINVAL | EINVAL |
 *
 * Options the kernel serves but this table does not model throw a {@link TcpSimError}
 * `NOT_EMULATED` naming the option, instead of inventing an answer.
 */
import { ERRNO } from '../../util/errno.js';
import type { SockoptSocket } from '../../helpers/sockopt.js';
import { SOCK_FIELDS } from './layout.js';
import type { TcpSock } from './sock.js';
import { TcpSimError } from './cc.js';

const { EINVAL, EBUSY, ENOTSUPP, EOPNOTSUPP } = ERRNO;

export const SOL_IP = 0;
export const SOL_SOCKET = 1;
export const SOL_TCP = 6;
export const SO = { SNDBUF: 7, KEEPALIVE: 9, PRIORITY: 12, MAX_PACING_RATE: 47 } as const;
export const TCP_OPT = { NODELAY: 1, MAXSEG: 2, KEEPIDLE: 4, WINDOW_CLAMP: 10, CONGESTION: 13 } as const;
export const TCP_BPF = { IW: 1001, SNDCWND_CLAMP: 1002, DELACK_MAX: 1003, RTO_MIN: 1004, SYN: 1005, SYN_IP: 1006, SYN_MAC: 1007, SOCK_OPS_CB_FLAGS: 1008 } as const;
export const IP_TOS = 1;

/** net.core.wmem_max default (212992); SO_SNDBUF is capped by it, then doubled. */
const WMEM_MAX = 212992;
/** HZ of the emulated kernel (bpf_jiffies64 ticks at 1000 Hz). */
const HZ = 1000;
/** TCP_TIMEOUT_MIN (2 jiffies) and TCP_RTO_MIN / TCP_DELACK_MAX (HZ / 5) in jiffies. */
const TIMEOUT_MIN_J = 2;
const RTO_MIN_MAX_J = HZ / 5;

/** What the simulator provides to a socket's options: the congestion-control switch and its state. */
export interface SockoptHost {
  /** The current congestion control's name. */
  ccName(): string;
  /**
   * tcp_set_congestion_control after the checks made here: switch to `name` (known to exist and
   * differ from the current one). Returns 0 or -errno (ENOENT when `name` is not registered).
   */
  switchCc(name: string): number;
  /** Whether the socket has sent data (tp->data_segs_out > tp->syn_data). */
  dataSent(): boolean;
  /** bpf_tcp_send_ack: an ACK for `rcvNxt` (bytes) now. */
  sendAck(rcvNxt: number): number;
}

/** Values kept by options that do not change the simulation. */
interface Kept {
  [key: string]: number;
}

const key = (level: number, opt: number): string => `${level}:${opt}`;

/** The socket options of one simulated tcp_sock. */
export class TcpSockopt implements SockoptSocket {
  /** tp->bpf_chg_cc_inprogress. */
  private changing = false;
  private readonly kept: Kept = {};
  /** TCP_BPF_RTO_MIN in µs (the simulator's minimum RTO; default 200 ms). */
  rtoMinUs = 200_000;
  /** TCP_BPF_DELACK_MAX in µs (default 200 ms). */
  delackMaxUs = 200_000;
  nodelay = 0;

  constructor(
    private readonly sk: TcpSock,
    private readonly host: SockoptHost,
  ) {}

  setsockopt(level: number, opt: number, v: Uint8Array): number {
    if (level === SOL_TCP && opt === TCP_OPT.CONGESTION) return this.setCongestion(v);
    if (level !== SOL_SOCKET && level !== SOL_TCP && level !== SOL_IP) return -EINVAL;
    if (v.length !== 4) return -EINVAL;
    const val = new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true);
    if (level === SOL_TCP) {
      switch (opt) {
        case TCP_BPF.IW:
          if (val <= 0 || this.host.dataSent()) return -EINVAL;
          this.sk.cwnd = val;
          return 0;
        case TCP_BPF.SNDCWND_CLAMP:
          if (val <= 0) return -EINVAL;
          this.sk.setU32('snd_cwnd_clamp', val);
          this.sk.cwnd = Math.min(this.sk.cwnd, val);
          return 0;
        case TCP_BPF.RTO_MIN:
        case TCP_BPF.DELACK_MAX: {
          if (val < 0) return -EINVAL;
          const j = Math.ceil((val * HZ) / 1_000_000); // usecs_to_jiffies
          if (j < TIMEOUT_MIN_J || j > RTO_MIN_MAX_J) return -EINVAL;
          if (opt === TCP_BPF.RTO_MIN) this.rtoMinUs = (j * 1_000_000) / HZ;
          else this.delackMaxUs = (j * 1_000_000) / HZ;
          return 0;
        }
        case TCP_OPT.NODELAY:
          return -EOPNOTSUPP;
        case TCP_OPT.MAXSEG:
        case TCP_OPT.KEEPIDLE:
        case TCP_OPT.WINDOW_CLAMP:
          this.kept[key(level, opt)] = val;
          return 0;
        default:
          if (opt >= TCP_BPF.IW && opt <= TCP_BPF.SOCK_OPS_CB_FLAGS) return notEmulated('bpf_setsockopt', level, opt);
          if (opt > TCP_BPF.SOCK_OPS_CB_FLAGS || opt <= 0 || opt > 64) return -EINVAL;
          return notEmulated('bpf_setsockopt', level, opt);
      }
    }
    if (level === SOL_SOCKET) {
      switch (opt) {
        case SO.MAX_PACING_RATE: {
          const u = val >>> 0;
          this.sk.dv.setBigUint64(SOCK_FIELDS.sk_max_pacing_rate!.off, u === 0xffffffff ? 0xffffffffffffffffn : BigInt(u), true);
          return 0;
        }
        case SO.SNDBUF:
          this.kept[key(level, opt)] = Math.min(val >>> 0, WMEM_MAX) * 2;
          return 0;
        case SO.PRIORITY:
        case SO.KEEPALIVE:
          this.kept[key(level, opt)] = val;
          return 0;
        default:
          return notEmulated('bpf_setsockopt', level, opt);
      }
    }
    if (opt === IP_TOS) {
      this.kept[key(level, opt)] = val;
      return 0;
    }
    return notEmulated('bpf_setsockopt', level, opt);
  }

  getsockopt(level: number, opt: number, out: Uint8Array): number {
    if (level === SOL_TCP && opt === TCP_OPT.CONGESTION) {
      if (out.length < 2) return -EINVAL;
      // sol_tcp_sockopt_congestion: the last byte becomes NUL, do_tcp_getsockopt copies
      // min(optlen - 1, TCP_CA_NAME_MAX) bytes of the 16-byte name field.
      const name = new Uint8Array(16);
      name.set(new TextEncoder().encode(this.host.ccName()).subarray(0, 15));
      const n = Math.min(out.length - 1, 16);
      out.set(name.subarray(0, n));
      out[out.length - 1] = 0;
      return 0;
    }
    if (level !== SOL_SOCKET && level !== SOL_TCP && level !== SOL_IP) return -EINVAL;
    if (out.length !== 4) return -EINVAL;
    const put = (v: number): number => {
      new DataView(out.buffer, out.byteOffset, 4).setUint32(0, v >>> 0, true);
      return 0;
    };
    if (level === SOL_TCP) {
      if (opt === TCP_OPT.NODELAY) return put(this.nodelay);
      if (opt >= TCP_BPF.IW && opt <= TCP_BPF.SOCK_OPS_CB_FLAGS) return -EINVAL;
      if (opt > TCP_BPF.SOCK_OPS_CB_FLAGS || opt <= 0) return -EINVAL;
      return notEmulated('bpf_getsockopt', level, opt);
    }
    if (level === SOL_SOCKET) {
      switch (opt) {
        case SO.MAX_PACING_RATE: {
          const r = this.sk.dv.getBigUint64(SOCK_FIELDS.sk_max_pacing_rate!.off, true);
          return put(r > 0xffffffffn ? 0xffffffff : Number(r));
        }
        case SO.SNDBUF:
        case SO.PRIORITY:
          return put(this.kept[key(level, opt)] ?? 0);
        default:
          return notEmulated('bpf_getsockopt', level, opt);
      }
    }
    return notEmulated('bpf_getsockopt', level, opt);
  }

  sendAck(rcvNxt: number): number {
    return this.host.sendAck(rcvNxt);
  }

  /** sol_tcp_sockopt_congestion + tcp_set_congestion_control (6.18, measured). */
  private setCongestion(v: Uint8Array): number {
    if (v.length < 2) return -EINVAL;
    // strncmp("cdg", optval, optlen): "cdg" keeps a pointer in icsk_ca_priv, so BPF may not pick it.
    const cdg = [0x63, 0x64, 0x67, 0];
    let isCdg = true;
    for (let i = 0; i < Math.min(v.length, 4); i++) if (v[i] !== cdg[i]) isCdg = false;
    if (isCdg) return -ENOTSUPP;
    if (this.changing) return -EBUSY;
    // strncpy_from_sockptr(name, optval, min(TCP_CA_NAME_MAX - 1, optlen))
    const raw = v.subarray(0, Math.min(15, v.length));
    const end = raw.indexOf(0);
    const name = new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
    if (name === this.host.ccName()) return 0;
    this.changing = true;
    try {
      const rc = this.host.switchCc(name);
      return rc < 0 ? rc : 0;
    } finally {
      this.changing = false;
    }
  }
}

function notEmulated(helper: string, level: number, opt: number): never {
  throw new TcpSimError('NOT_EMULATED', `${helper}(level ${level}, optname ${opt}): the simulated socket does not model this option (it would reach the kernel's socket layer)`);
}

