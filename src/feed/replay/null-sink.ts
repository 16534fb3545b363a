// A FeedSink that ignores every call: for checking frames with the decoder
// without applying them anywhere.
import type { FeedSink } from '../feed-sink.js';

class NullSink implements FeedSink {
  instrument(): void {}
  snapshot(): void {}
  levelSet(): void {}
  levelChange(): void {}
  trade(): void {}
  heartbeat(): void {}
  endOfBatch(): void {}
}

export const NULL_SINK: FeedSink = new NullSink();
