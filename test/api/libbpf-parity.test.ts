/**
 * Map creation as libbpf does it (issue 12, bug 3), against what Linux 6.18 + libbpf made of
 * programs/libbpf_parity.bpf.o (goldens/libbpf-parity.json): map-in-map, queue and perf event
 * array maps created without BTF key/value ids although their declarations carry BTF types, and a
 * perf event array without max_entries sized to the possible CPUs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { mapTypeName } from '../../src/maps/uapi.js';

const golden = JSON.parse(readFileSync(new URL('./goldens/libbpf-parity.json', import.meta.url), 'utf8')) as {
  possibleCpus: number;
  maps: Record<string, { type: string; bytes_key: number; bytes_value: number; max_entries: number; btf: boolean }>;
  retval: number;
};

describe('libbpf parity of map creation', () => {
  it('creates each map as the kernel saw it from libbpf: type, sizes, max_entries, no BTF ids', () => {
    const obj = BpfObject.open(readFileSync('programs/libbpf_parity.bpf.o'), { name: 'libbpf_parity', kernelOptions: { nrCpus: golden.possibleCpus } });
    obj.load();
    for (const [name, g] of Object.entries(golden.maps)) {
      const km = obj.map(name).kernelMap;
      expect({ type: mapTypeName(km.type), bytes_key: km.keySize, bytes_value: km.valueSize, max_entries: km.maxEntries, btf: km.btfKeyTypeId !== 0 || km.btfValueTypeId !== 0 }, name).toEqual(g);
    }
    const r = obj.program('parity_prog').testRun({ dataIn: new Uint8Array(64) });
    expect(r.retval).toBe(golden.retval);
    obj.close();
  });

  it('sizes the perf event array to the emulated kernel\'s CPUs, whatever their number', () => {
    const obj = BpfObject.open(readFileSync('programs/libbpf_parity.bpf.o'), { name: 'libbpf_parity', kernelOptions: { nrCpus: 5 } });
    obj.load();
    expect(obj.map('events').kernelMap.maxEntries).toBe(5);
    obj.close();
  });
});
