// @mesosgot/local/testing: helpers for tests of frameworks and drivers.
export * from './wait-for.js';
