// What a tracking URI must look like before it is saved (pure, unit-tested).

export function validateServerUri(v: string): string | undefined {
  const s = v.trim();
  if (!s) return 'Enter a URL such as http://127.0.0.1:5000';
  if (/^databricks(:\/\/[\w.-]+)?$/i.test(s)) return undefined;
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `Use http:// or https:// (got ${u.protocol})`;
    if (u.username || u.password) return 'Do not put credentials in the URL: use "Set MLflow Credentials…" (kept in secret storage).';
    return undefined;
  } catch {
    return `"${s}" is not a URL: use http://host:port, e.g. http://127.0.0.1:5000`;
  }
}
