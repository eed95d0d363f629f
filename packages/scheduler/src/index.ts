// @mesosgot/scheduler
export {};
