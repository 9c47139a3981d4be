// Placeholder: the auto-trace issue replaces this file.
process.stderr.write('gemini-trace: not implemented yet\n');
process.exitCode = 2;
