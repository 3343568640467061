/** The uapi enum bpf_func_id table. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELPER_MAX_ID, HELPER_TABLE, helperId, helperName, helperSpec } from '../../src/helpers/table.js';

const SYSTEM_HEADER = '/usr/include/linux/bpf.h';

describe('helper table', () => {
  it('has every id 0..211, indexed by id', () => {
    expect(HELPER_MAX_ID).toBe(212);
    HELPER_TABLE.forEach((h, i) => expect(h.id).toBe(i));
    expect(new Set(HELPER_TABLE.map((h) => h.name)).size).toBe(212);
  });

  it('names, kinds and prototypes of well-known helpers', () => {
    expect(helperSpec(1)).toMatchObject({ name: 'map_lookup_elem', ret: 'ptr_or_null', args: ['map', 'ptr'] });
    expect(helperSpec(12)).toMatchObject({ name: 'tail_call', args: ['ctx', 'map', 'anything'] });
    expect(helperSpec(6)).toMatchObject({ name: 'trace_printk', args: ['ptr', 'size', 'anything', 'anything', 'anything'] });
    expect(helperSpec(181)).toMatchObject({ name: 'loop', args: ['anything', 'func', 'ptr_or_null', 'anything'] });
    expect(helperSpec(170)).toMatchObject({ name: 'timer_set_callback', args: ['timer', 'func'] });
    expect(helperSpec(93)?.args).toEqual(['spin_lock']);
    expect(helperSpec(158)).toMatchObject({ name: 'get_current_task_btf', ret: 'btf_id' });
    expect(helperSpec(132)).toMatchObject({ name: 'ringbuf_submit', ret: 'void' });
    expect(helperSpec(211)?.name).toBe('cgrp_storage_delete');
    expect(helperSpec(1)?.proto).toBe('void *(struct bpf_map *map, const void *key)');
  });

  it('lookups by id and name', () => {
    expect(helperName(5)).toBe('bpf_ktime_get_ns');
    expect(helperName(0)).toBeUndefined();
    expect(helperName(212)).toBeUndefined();
    expect(helperName(-1)).toBeUndefined();
    expect(helperSpec(1.5)).toBeUndefined();
    expect(helperId('bpf_snprintf')).toBe(165);
    expect(helperId('snprintf')).toBe(165);
    expect(helperId('bpf_nope')).toBeUndefined();
  });

  it.skipIf(!existsSync(SYSTEM_HEADER))(`agrees with the FN() list of ${SYSTEM_HEADER}`, () => {
    const text = readFileSync(SYSTEM_HEADER, 'utf8');
    // `FN(name, id, ##ctx)` since Linux 6.2; older headers list `FN(name)` in id order
    const fns = [...text.matchAll(/\bFN\((\w+)(?:, (\d+), ##ctx)?\)/g)].map((m, i) => [m[2] === undefined ? i : Number(m[2]), m[1]!] as const);
    expect(fns.length).toBeGreaterThan(100);
    for (const [id, name] of fns) expect(helperSpec(id)?.name).toBe(name);
  });
});
