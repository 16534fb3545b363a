// Records a market source into a binary recording: its frames (one per batch)
// with the source's own time offsets, so replaying the recording at --speed 1
// keeps the source's pace. Runs as fast as the source and the disk allow.
import type { MarketSource, SourceStats } from './market-source.js';
import { RecordingFileWriter } from './recording-file-writer.js';
import { frameMessageCount, sourceFrames } from './source-frames.js';

export interface RecordReport {
  source: string;
  out: string;
  frames: number;
  messages: number;
  /** Bytes of the recording before compression. */
  bytes: number;
  /** Source time covered, seconds (offset of the last frame). */
  spanS: number;
  wallS: number;
  sourceStats: SourceStats;
}

/**
 * `check`, when given, runs once the source is done and before the recording is moved into
 * place: it throws to abort the recording (nothing is left at `out`).
 */
export async function recordSource(source: MarketSource, out: string, signal?: AbortSignal, check?: () => void): Promise<RecordReport> {
  const t0 = process.hrtime.bigint();
  const writer = await RecordingFileWriter.create(out, source.startEpochNs);
  let messages = 0;
  let lastOffsetNs = 0;
  try {
    for await (const { offsetNs, item } of sourceFrames(source)) {
      if (signal?.aborted) break;
      messages += frameMessageCount(item);
      lastOffsetNs = offsetNs;
      if (!writer.write(item, offsetNs)) await writer.drained();
    }
    if (check !== undefined) check();
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return {
    source: source.label,
    out,
    frames: writer.frames,
    messages,
    bytes: writer.bytes,
    spanS: lastOffsetNs / 1e9,
    wallS: Number(process.hrtime.bigint() - t0) / 1e9,
    sourceStats: source.stats(),
  };
}
