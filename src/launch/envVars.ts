// An immutable set of environment variables, in the style of vscode-js-debug's EnvironmentVars:
// every change returns a new instance, `null` means "delete this variable" (so a launch config's
// `"env": { "X": null }` can remove an inherited X), and on Windows names are matched without
// regard to case, as the OS does (`Path` and `PATH` are one variable there).
// Pure Node: the CLI uses it too.

export type EnvInput = Readonly<Record<string, string | null | undefined>>;

export class EnvVars {
  /** Overridable in tests to exercise Windows semantics on any OS. */
  static platform: NodeJS.Platform = process.platform;
  static readonly empty = new EnvVars({});

  /** Variables that are set; names keep the spelling first seen. */
  readonly value: Readonly<Record<string, string>>;

  constructor(vars: EnvInput = {}, private readonly caseInsensitive = EnvVars.platform === 'win32') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) {
      if (v === null || v === undefined) continue;
      const existing = this.caseInsensitive ? findKey(out, k, true) : undefined;
      out[existing ?? k] = v;
    }
    this.value = Object.freeze(out);
  }

  static fromProcess(): EnvVars {
    return new EnvVars(process.env);
  }

  lookup(name: string): string | undefined {
    const key = findKey(this.value, name, this.caseInsensitive);
    return key === undefined ? undefined : this.value[key];
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /** Sets (string) or deletes (null/undefined) one variable. */
  update(name: string, value: string | null | undefined): EnvVars {
    return this.merge({ [name]: value });
  }

  /**
   * Later sources win. A `null` in a source deletes the variable; `undefined` leaves it alone.
   * With case-insensitive names the existing spelling is kept, so `Path` stays `Path`.
   */
  merge(...sources: (EnvInput | EnvVars)[]): EnvVars {
    const out: Record<string, string> = { ...this.value };
    for (const src of sources) {
      const vars = src instanceof EnvVars ? src.value : src;
      for (const [k, v] of Object.entries(vars)) {
        if (v === undefined) continue;
        const key = findKey(out, k, this.caseInsensitive) ?? k;
        if (v === null) delete out[key];
        else out[key] = v;
      }
    }
    return new EnvVars(out, this.caseInsensitive);
  }

  /** The variables as a plain object, e.g. for `child_process.spawn`. */
  toObject(): Record<string, string> {
    return { ...this.value };
  }
}

function findKey(obj: Readonly<Record<string, string>>, name: string, caseInsensitive: boolean): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  if (!caseInsensitive) return undefined;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}
