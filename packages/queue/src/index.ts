export * from './connection.js';
export * from './ids.js';
export * from './job.js';
export * from './worker.js';
export * from './submit.js';
export { UnrecoverableError, type SandboxedJob } from 'bullmq';
