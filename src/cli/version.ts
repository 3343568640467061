/** The version `bpfemu --version` prints; test/cli/cli.test.ts keeps it equal to package.json's. */
export const VERSION = '0.1.0';
