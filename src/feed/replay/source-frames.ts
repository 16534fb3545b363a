// A market source as feed protocol v1 frames with their source-time offsets: one
// frame per batch (FrameEncoder completes a frame at each endOfBatch), each
// stamped with the offset of the step that produced it. A source that already
// holds frames (a binary recording) gives them as they are. Frames are copies
// the consumer may keep (queue, send, write).
import { FrameEncoder } from '../protocol/frame-encoder.js';
import * as W from '../protocol/wire-format.js';
import type { Paced } from '../recording/pacer.js';
import type { MarketSource } from './market-source.js';

export async function* sourceFrames(source: MarketSource): AsyncGenerator<Paced<Uint8Array>> {
  if (source.frames !== undefined) {
    yield* source.frames();
    return;
  }
  const ready: Uint8Array[] = [];
  const encoder = new FrameEncoder({ onFrame: (frame) => { ready.push(frame.slice()); } });
  const run = source.open(encoder);
  let last = 0;
  for await (const step of run.steps) {
    last = step.offsetNs;
    run.apply(step.item);
    for (let i = 0; i < ready.length; i++) yield { offsetNs: step.offsetNs, item: ready[i]! };
    ready.length = 0;
  }
  // messages the source left without an end of batch (e.g. definitions with no data yet)
  if (encoder.messageCount > 0) yield { offsetNs: last, item: encoder.flush(0) };
}

/** Messages in a frame (its header's count). */
export function frameMessageCount(frame: Uint8Array): number {
  return frame.length >= W.FRAME_HEADER_BYTES ? frame[W.FH_COUNT]! | (frame[W.FH_COUNT + 1]! << 8) : 0;
}

/** Writes sendTsNs (monotonic ns, a non-negative integer below 2^53) into a frame's header. */
export function stampSendTsNs(frame: Uint8Array, sendTsNs: number): void {
  const hi = Math.floor(sendTsNs / W.TWO_POW_32);
  const lo = sendTsNs - hi * W.TWO_POW_32;
  const o = W.FH_SEND_TS;
  frame[o] = lo & 0xff;
  frame[o + 1] = (lo >>> 8) & 0xff;
  frame[o + 2] = (lo >>> 16) & 0xff;
  frame[o + 3] = lo >>> 24;
  frame[o + 4] = hi & 0xff;
  frame[o + 5] = (hi >>> 8) & 0xff;
  frame[o + 6] = (hi >>> 16) & 0xff;
  frame[o + 7] = hi >>> 24;
}
