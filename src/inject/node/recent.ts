// Per-process memory of recent interaction ids (usage counted, conversations, signed steps).
/** A bounded memory of recent ids: two generations of at most MAX entries each, the older
 *  dropped whole when the newer fills (constant time, unlike evicting one Map entry at a time). */
export class Recent<V> {
  private static readonly MAX = 10_000;
  private old = new Map<string, V>();
  private young = new Map<string, V>();

  get(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: string, value: V): void {
    if (this.young.size >= Recent.MAX) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
