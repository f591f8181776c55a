export { Module } from './module.js';
export * from './loss.js';
