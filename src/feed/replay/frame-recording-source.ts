// The project's binary recording (.screc / .screc.gz: timestamped protocol frames)
// as a market source. Each frame is a step at its capture offset; applying it
// decodes it with the hot-path FrameDecoder into the sink. A frame that does not
// decode stops the replay with SPREADCORE_ERR_BAD_RECORDING naming the frame and
// the decode code (the recording is damaged; nothing of that frame is applied).
// For record and publish the frames are passed on as they are (frames()), after
// the same validation.
import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { SpreadcoreError } from '../../errors.js';
import type { FeedSink } from '../feed-sink.js';
import { FeedIngest } from '../ingest/feed-ingest.js';
import { DECODE_CODE_NAMES, DECODE_ERR_SINK_THREW, DECODE_OK } from '../protocol/decode-codes.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { FRAME_HEADER_BYTES } from '../protocol/wire-format.js';
import { readFrameRecording, RecordingParser, RECORDING_HEADER_BYTES, type RecordingHeader } from '../recording/frame-recording.js';
import type { Paced } from '../recording/pacer.js';
import { MonotoneOffset, type MarketSource, type SourceRun, type SourceStats } from './market-source.js';
import { NULL_SINK } from './null-sink.js';

function badRecording(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING', message);
}

/** Reads and checks a recording's 16-byte header (gzip or plain) without reading further. */
export async function readRecordingHeader(path: string): Promise<RecordingHeader> {
  let head: Uint8Array;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // the start of the gzip stream only: a sync flush decompresses what is there
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw badRecording(`${path}: bad gzip data (${(e as Error).message})`);
    }
  }
  const parser = new RecordingParser();
  try {
    parser.push(head.subarray(0, Math.min(head.length, RECORDING_HEADER_BYTES)));
  } catch (e) {
    if (e instanceof SpreadcoreError) throw badRecording(`${path}: ${e.message}`);
    throw e;
  }
  if (parser.header === null) {
    throw badRecording(head.length === 0 ? `${path} is empty` : `${path} is shorter than a recording's 16-byte header`);
  }
  return parser.header;
}

export interface FrameRecordingSourceOptions {
  /** Stop after this much recording time (seconds since the start). */
  durationS?: number;
}

export class FrameRecordingSource implements MarketSource<Uint8Array> {
  readonly kind = 'screc';
  readonly path: string;
  readonly label: string;
  readonly startEpochNs: bigint;
  private readonly limitNs: number;
  private opened = false;
  private frameCount = 0;
  private messages = 0;
  private levelUpdates = 0;

  constructor(path: string, header: RecordingHeader, options: FrameRecordingSourceOptions = {}) {
    this.path = path;
    this.startEpochNs = header.startEpochNs;
    this.limitNs = options.durationS === undefined ? Infinity : options.durationS * 1e9;
    this.label = `recording ${path}`;
  }

  private claim(): void {
    if (this.opened) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'a market source is opened once');
    this.opened = true;
  }

  private async *read(): AsyncGenerator<Paced<Uint8Array>> {
    const offsets = new MonotoneOffset();
    for await (const { offsetNs, frame } of readFrameRecording(this.path)) {
      const t = offsets.next(offsetNs);
      if (t > this.limitNs) return;
      yield { offsetNs: t, item: frame };
    }
  }

  private decodeInto(decoder: FrameDecoder, frame: Uint8Array, sink: FeedSink): void {
    const index = this.frameCount++;
    const before = decoder.levelUpdatesApplied;
    const code = decoder.decodeFrame(frame, sink);
    if (code !== DECODE_OK) {
      const where = decoder.errorMessageIndex < 0 ? 'frame header' : `message ${decoder.errorMessageIndex}`;
      const cause = code === DECODE_ERR_SINK_THREW && decoder.lastSinkError instanceof Error ? `: ${decoder.lastSinkError.message}` : '';
      throw badRecording(`${this.path}: frame ${index + 1} does not decode: ${DECODE_CODE_NAMES[code]} at ${where}, byte ${decoder.errorOffset}${cause}`);
    }
    this.messages += decoder.messageCount;
    this.levelUpdates += decoder.levelUpdatesApplied - before;
  }

  open(sink: FeedSink): SourceRun<Uint8Array> {
    this.claim();
    const decoder = sink instanceof FeedIngest
      ? new FrameDecoder({ isKnownSymbol: (id) => sink.symbolState(id) !== undefined })
      : new FrameDecoder();
    return { steps: this.read(), apply: (frame) => this.decodeInto(decoder, frame, sink) };
  }

  /** The recorded frames as they are, each checked by the decoder first. */
  async *frames(): AsyncGenerator<Paced<Uint8Array>> {
    this.claim();
    const decoder = new FrameDecoder();
    for await (const step of this.read()) {
      if (step.item.length < FRAME_HEADER_BYTES) throw badRecording(`${this.path}: frame ${this.frameCount + 1} is shorter than a frame header`);
      this.decodeInto(decoder, step.item, NULL_SINK);
      yield step;
    }
  }

  stats(): SourceStats {
    return { frames: this.frameCount, messages: this.messages, levelUpdates: this.levelUpdates };
  }
}
