export * from './recording-line.js';
export * from './read-recording.js';
