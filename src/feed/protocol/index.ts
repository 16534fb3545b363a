export * from './wire-format.js';
export * from './decode-codes.js';
export * from './instrument-fields.js';
export * from './frame-decoder.js';
export * from './frame-encoder.js';
export * from './frame-schema.js';
export * from './reference-decoder.js';
export * from './call-log-sink.js';
