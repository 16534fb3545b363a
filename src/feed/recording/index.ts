export * from './recording-line.js';
export * from './read-recording.js';
export * from './frame-recording.js';
export * from './pacer.js';
