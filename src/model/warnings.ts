// Collects normalisation warnings without letting a hostile payload (10^6 orphans) produce 10^6
// strings: the first few of each kind are kept verbatim, the rest are counted.

const PER_KIND = 10;

export class Warnings {
  private readonly kept: string[] = [];
  private readonly counts = new Map<string, number>();

  add(kind: string, message: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= PER_KIND) this.kept.push(message);
  }

  /** A bound callback for code that only needs one kind. */
  sink(kind: string): (message: string) => void {
    return (m) => this.add(kind, m);
  }

  list(): string[] {
    const out = [...this.kept];
    for (const [kind, n] of this.counts) if (n > PER_KIND) out.push(`…and ${n - PER_KIND} more ${kind} warnings`);
    return out;
  }
}
