// `spreadcore record`: writes any market source (a Binance recording, a binary
// recording, the simulator) as the project's binary recording — protocol v1
// frames, one per batch, each at the source's own time offset so replaying it at
// --speed 1 keeps the source's pace.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpreadcoreError } from '../errors.js';
import { recordSource, type RecordReport } from '../feed/replay/record-source.js';
import { gridProblemMessage, gridProblemsOf, skippedInputWarning } from '../feed/replay/market-source.js';
import { SOURCE_FLAGS, SOURCE_USAGE, sourcePath } from '../feed/replay/source-options.js';
import { openSourceWithGrids, sourceSpecOf } from './instruments-flag.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { usageError, parseOnlyFlags } from './flags.js';
import { OutputWriter } from './output-writer.js';

const USAGE = `Usage: spreadcore record --source binance:FILE|screc:FILE|sim [source options] --out FILE.screc[.gz]

Writes a market source as a spreadcore binary recording: feed protocol v1 frames,
one per batch (one exchange event), each stamped with the source's time since its
start (receive times of a Binance recording, simulated time of the simulator), so
"spreadcore publish --source screc:FILE --speed 1" replays it at the source's pace.
A binary recording as the source is copied frame by frame (e.g. to compress it).

${SOURCE_USAGE}

Options:
  --out FILE       the recording to write: .screc, or .screc.gz for gzip (required).
                   Written as FILE.partial and renamed when complete.
  --force          overwrite FILE if it exists
  --json           print the report as one JSON object
  -h, --help       show this help

Exit status: 0 ok, 1 unreadable or malformed input, a Binance recording none of whose
depth lies on the symbol's grid (nothing is written), or an output that cannot be
written, 2 bad command line.`;

const FLAGS = {
  ...SOURCE_FLAGS,
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const num = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function describe(r: RecordReport): string {
  const s = r.sourceStats;
  const lines = [
    `recorded ${num(r.frames)} frames (${num(r.messages)} messages, ${num(r.bytes)} bytes before compression) covering ${num(r.spanS, 1)} s of source time`,
    `  from ${r.source}`,
    `  into ${r.out} in ${num(r.wallS, 2)} s`,
  ];
  if (s['appliedEvents'] !== undefined) {
    lines.push(`  depth events applied ${num(s['appliedEvents'])}, trades ${num(s['trades'] ?? 0)}, gaps ${num(s['gaps'] ?? 0)}, ` +
      `bookTicker checks ${num(s['bookTickerChecks'] ?? 0)} (${num(s['bookTickerMismatches'] ?? 0)} mismatches)`);
  }
  return lines.join('\n');
}

export const recordCommand: Command = {
  name: 'record',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const spec = sourceSpecOf(flags);
    const out = flags.out;
    if (out === undefined) throw usageError('--out is required (a .screc or .screc.gz file)');
    if (!out.endsWith('.screc') && !out.endsWith('.screc.gz')) {
      throw usageError(`--out must end in .screc or .screc.gz, got ${JSON.stringify(out)}`);
    }
    const input = sourcePath(spec);
    if (input !== undefined && resolve(input) === resolve(out)) throw usageError('--out must not be the source file');
    if (existsSync(out) && flags.force !== true) {
      throw new SpreadcoreError('SPREADCORE_ERR_IO', `${out} already exists (pass --force to overwrite it)`);
    }
    const source = await openSourceWithGrids(spec);
    // a symbol none of whose depth the book took (its grid is coarser than the data) makes no recording
    const report = await recordSource(source, out, undefined, () => {
      const empty = gridProblemsOf(source).find((p) => p.applied === 0);
      if (empty !== undefined) throw new SpreadcoreError('SPREADCORE_ERR_OFF_GRID', `${gridProblemMessage(empty)}; nothing written to ${out}`);
    });
    const w = new OutputWriter(io.stdout);
    w.line(flags.json === true ? JSON.stringify(report) : describe(report));
    await w.finish();
    const warning = skippedInputWarning(source);
    if (warning !== null) io.stderr.write(`spreadcore record: warning: ${warning}\n`);
    for (const p of gridProblemsOf(source)) io.stderr.write(`spreadcore record: warning: ${gridProblemMessage(p)}\n`);
    return EXIT_OK;
  },
};
