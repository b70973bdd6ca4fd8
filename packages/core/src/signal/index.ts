export * from './window.js';
export * from './stft.js';
export * from './spectrogram.js';
export * from './masks.js';
export * from './resample.js';
export * from './wav.js';
export * from './components.js';
export * from './correlate.js';
