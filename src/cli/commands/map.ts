/**
 * `bpfemu map dump OBJ [--map NAME] [--hex] [--prog NAME run-options...]`: the object's maps as
 * `bpftool map dump` prints them (formatted from BTF), after loading it, or after one run of a
 * program (any `bpfemu run` option applies: --data-in, --ctx-in, --set, --map NAME=FILE, ...).
 */
import { BpfObject } from '../../api/object.js';
import { objectNameFromPath } from '../../object/load.js';
import type { Io } from '../io.js';
import { dumpMapFormatted, dumpMapHex } from '../map-dump.js';
import { CliError, EXIT_OK, type Command } from '../registry.js';
import { runCommand } from './run.js';

const USAGE = `usage: bpfemu map dump OBJ [--map NAME] [--hex] [--prog NAME [bpfemu run options]]

Print OBJ's maps (or only NAME) as bpftool map dump does, formatted from their BTF: after loading
OBJ, or after one run of --prog with the options bpfemu run takes (--data-in, --ctx-in, --set,
--map NAME=FILE.json, ...). One JSON object {"<map>": {"type", "entries": [{"key", "value"}]}}.

  --hex   keys and values as hex`;

/** The value of `--name V` or `--name=V` in `args`, and the args without it. */
function take(args: readonly string[], name: string): [string | undefined, string[]] {
  const rest: string[] = [];
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}` && i + 1 < args.length && !(name === 'map' && args[i + 1]!.includes('='))) {
      v = args[++i];
    } else if (a.startsWith(`--${name}=`) && !(name === 'map' && a.slice(name.length + 3).includes('='))) v = a.slice(name.length + 3);
    else rest.push(a);
  }
  return [v, rest];
}

export const mapCommand: Command = {
  name: 'map',
  summary: 'print the maps of an object, after loading it or after one run (bpftool map dump)',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const [sub, path, ...opts] = args;
    if (sub !== 'dump') throw new CliError('USAGE', `map: expected 'dump', got ${sub === undefined ? 'nothing' : `'${sub}'`}`);
    if (path === undefined || path.startsWith('--')) throw new CliError('USAGE', 'map dump: missing OBJ');
    const [only, a1] = take(opts, 'map');
    const hex = a1.includes('--hex');
    const runArgs = a1.filter((x) => x !== '--hex');
    let maps: Record<string, { type: string; entries: object[] }>;
    if (runArgs.some((x) => x === '--prog' || x.startsWith('--prog='))) {
      // one run through `bpfemu run`, its --map-out captured
      const OUT = '\0map-dump-out';
      let captured: Uint8Array | undefined;
      const quiet: Io = {
        out: () => {},
        err: (t) => io.err(t),
        readFile: (p) => io.readFile(p),
        writeFile: (p, d) => {
          if (p === OUT) captured = d;
          else io.writeFile(p, d);
        },
        isDirectory: (p) => io.isDirectory(p),
        listDir: (p) => io.listDir(p),
      };
      const code = runCommand.run([path, ...runArgs, '--map-out', OUT, ...(hex ? ['--hex'] : [])], quiet);
      if (code !== EXIT_OK || captured === undefined) return code;
      maps = JSON.parse(new TextDecoder().decode(captured)) as typeof maps;
    } else {
      if (runArgs.length > 0) throw new CliError('USAGE', `map dump: '${runArgs[0]}' needs --prog (it is a bpfemu run option)`);
      const obj = BpfObject.open(io.readFile(path), { name: objectNameFromPath(path) });
      obj.load();
      maps = {};
      for (const m of obj.maps) if (m.fd >= 0) maps[m.spec.internal?.section ?? m.name] = hex ? dumpMapHex(m) : dumpMapFormatted(m);
      obj.close();
    }
    if (only !== undefined) {
      const m = maps[only];
      if (m === undefined) throw new CliError('INPUT', `map dump: no map '${only}' (maps: ${Object.keys(maps).join(', ')})`);
      maps = { [only]: m };
    }
    io.out(`${JSON.stringify(maps)}\n`);
    return EXIT_OK;
  },
};
