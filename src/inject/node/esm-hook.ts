// Placeholder: the auto-trace issue replaces this file.
export {};
