// @mesosgot/executor
export {};
