import { describe, expect, it } from 'vitest';
import { internalMapName } from '../../src/object/index.js';

describe('internalMapName (libbpf internal_map_name)', () => {
  it('keeps up to 15 - max(7, len) characters of the object name', () => {
    expect(internalMapName('my_object_name', '.rodata')).toBe('my_objec.rodata');
    expect(internalMapName('my_object_name', '.bss')).toBe('my_objec.bss');
    expect(internalMapName('my_object_name', '.kconfig')).toBe('my_obje.kconfig');
    expect(internalMapName('xdp', '.data')).toBe('xdp.data');
  });

  it('uses a custom section name alone, truncated to 15 characters', () => {
    expect(internalMapName('my_object_name', '.rodata.abracadabra')).toBe('.rodata.abracad');
    expect(internalMapName('globals', '.data.custom')).toBe('.data.custom');
    expect(internalMapName('x', '.rodata.str1.1')).toBe('.rodata.str1.1');
  });

  it('replaces characters the kernel does not allow in map names', () => {
    expect(internalMapName('a-b+c', '.bss')).toBe('a_b_c.bss');
    expect(internalMapName('', '.bss')).toBe('.bss');
  });
});
