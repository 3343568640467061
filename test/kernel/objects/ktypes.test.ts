/**
 * KernelTypes (src/kernel/objects/ktypes.ts): a struct defined after a pointer to it was made
 * takes over that pointer and only that one, and the encoded bytes are the built BTF.
 */
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../../src/btf/parse.js';
import { KernelTypes } from '../../../src/kernel/objects/ktypes.js';

describe('KernelTypes', () => {
  it('defining struct foo replaces the forward declarations of foo, not of foo_bar', () => {
    const t = new KernelTypes();
    const fooPtr = t.typeId('struct foo *');
    const constFooPtr = t.typeId('const struct foo *');
    const fooBarPtr = t.typeId('struct foo_bar *');
    const fooId = t.addStruct({ name: 'foo', members: [{ name: 'x', type: 'int' }] });
    const btf = t.build();
    // the pointers made before the definition point at a FWD; new spellings point at the struct
    expect(btf.type(btf.type(fooPtr).kind === 'PTR' ? (btf.type(fooPtr) as { type: number }).type : 0).kind).toBe('FWD');
    const newPtr = t.typeId('struct foo *');
    expect(newPtr).not.toBe(fooPtr);
    expect(t.typeId('const struct foo *')).not.toBe(constFooPtr);
    expect((t.build().type(newPtr) as { type: number }).type).toBe(fooId);
    // struct foo_bar is another struct: its cached pointer stays
    expect(t.typeId('struct foo_bar *')).toBe(fooBarPtr);
  });

  it('encode() gives the bytes of the BTF build() returns', () => {
    const t = new KernelTypes();
    t.addStruct({ name: 'pair', members: [{ name: 'a', type: 'u32' }, { name: 'b', type: 'struct pair *' }] });
    t.addFunc('f', { ret: 'int', params: [{ name: 'p', type: 'struct pair *' }] });
    const built = t.build();
    const parsed = parseBtf(t.encode());
    expect(parsed.types.map((x) => [x.kind, x.name])).toEqual(built.types.map((x) => [x.kind, x.name]));
    // unsigned int, typedef u32, the self pointer, struct pair, int, the prototype, func f
    expect(parsed.types.map((x) => x.kind)).toEqual(['INT', 'TYPEDEF', 'PTR', 'STRUCT', 'INT', 'FUNC_PROTO', 'FUNC']);
  });
});
