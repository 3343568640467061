/** BpfError (src/api/errors.ts): its code is the errno's name, typed as the union of errno names. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BpfError } from '../../src/api/errors.js';
import { ERRNO, type ErrnoCode } from '../../src/util/errno.js';

describe('BpfError', () => {
  it('names the errno in code and message, for known and unknown numbers', () => {
    const e = new BpfError(ERRNO.EINVAL, 'map update');
    expect([e.errno, e.code, e.message]).toEqual([22, 'EINVAL', 'map update: EINVAL']);
    expect(new BpfError(ERRNO.ENOTSUPP, 'x').code).toBe('ENOTSUPP');
    expect(new BpfError(200, 'x').code).toBe('E200');
    expect(() => BpfError.check(-ERRNO.ENOENT, 'lookup')).toThrow(expect.objectContaining({ code: 'ENOENT', errno: 2 }));
    expect(BpfError.check(3, 'fd')).toBe(3);
  });

  it('types code as the errno-name union, so a typo is a compile error', () => {
    expectTypeOf(new BpfError(1, 'x').code).toEqualTypeOf<ErrnoCode>();
    expectTypeOf<'EINVAL'>().toMatchTypeOf<BpfError['code']>();
    // @ts-expect-error 'EINVALID' is no errno name
    const typo: BpfError['code'] = 'EINVALID';
    expect(typo).toBe('EINVALID');
  });
});
