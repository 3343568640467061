/**
 * Corpus group cbdynptr: the dynptr a bpf_user_ringbuf_drain callback receives
 * (programs/verifier_cbdynptr.bpf.c): a local dynptr that bpf_dynptr_read, bpf_dynptr_write and
 * bpf_dynptr_data take (6.18's verifier does not mark it read-only: writes load), and that may not
 * be released, re-initialised or read directly.
 */
import type { VerifierCase } from './types.js';

const SYSCALL = 31;

function d(name: string, prog: string, what: string): VerifierCase {
  return { name, rule: 'cbdynptr', what, progType: SYSCALL, progFlags: 16, object: { file: 'verifier_cbdynptr.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  d('cbdynptr-read', 'cb_read_ok', 'bpf_dynptr_read from the callback dynptr'),
  d('cbdynptr-data', 'cb_data_ok', 'bpf_dynptr_data slice of the callback dynptr, read'),
  d('cbdynptr-data-write', 'cb_data_write_ok', 'a store through the bpf_dynptr_data slice (loads: the sample is not read-only to the verifier)'),
  d('cbdynptr-write', 'cb_write_ok', 'bpf_dynptr_write into the callback dynptr (loads)'),
  d('cbdynptr-release', 'cb_release_refused', 'bpf_ringbuf_discard_dynptr of the callback dynptr'),
  d('cbdynptr-deref', 'cb_deref_refused', 'a direct 8-byte load from the callback dynptr'),
  d('cbdynptr-reinit', 'cb_reinit_refused', 'bpf_ringbuf_reserve_dynptr into the callback dynptr'),
];
