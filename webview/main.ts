// Placeholder: the trace-panel issue replaces this file.
export {};
