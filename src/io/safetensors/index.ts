// safetensors: streaming reader/writer and sharded HF checkpoints. (The npm `safetensors` package is
// not used: it parses a whole in-memory buffer and cannot write.)
export * from './errors.js';
export * from './dtypes.js';
export * from './header.js';
export * from './reader.js';
export * from './writer.js';
export * from './sharded.js';
