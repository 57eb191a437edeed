// The resume-revision environment: layout rule, tools, prompts, env state machine.
export * from '../../data/layout.js';
export * from './diff.js';
export * from './view.js';
export * from './tools.js';
export * from './prompts.js';
export * from './env.js';
