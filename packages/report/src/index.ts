export * from './heatmap.js';
export * from './charts.js';
export * from './html.js';
export * from './load.js';
export * from './report.js';
export * from './compare.js';
