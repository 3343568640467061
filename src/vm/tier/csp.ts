/**
 * Whether this environment lets the JavaScript tier build functions from source. A browser page
 * whose content-security policy has no 'unsafe-eval' (and some sandboxes) refuses `new Function`;
 * there the tier is unavailable and every run stays on the interpreter. Detected once, on first
 * use, by building one trivial function.
 */

let available: boolean | undefined;

/** True when `new Function` works here (the answer is computed once and kept). */
export function canCompile(): boolean {
  if (available === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const f = new Function('a', 'return a + 1') as (a: number) => number;
      available = f(1) === 2;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Tests only: pretend the environment forbids (false) or allows (true) `new Function`; undefined re-detects. */
export function setCanCompileForTest(v: boolean | undefined): void {
  available = v;
}
