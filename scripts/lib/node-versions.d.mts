// Types for node-versions.mjs, so TypeScript tests import it with checking.

/** The supported Node lines, each pinned to one release. */
export const NODE_VERSIONS: Record<number, string>;

export interface NodeInstall {
  major: number;
  version: string;
  bin: string;
  /** Holds bin/ and include/node/. */
  dir: string;
}

/** The Node running this script, in the same shape. */
export function currentNode(): NodeInstall;
/** This very Node when it is of that line, else the pinned package (installed on first use). */
export function ensureNode(major: number, opts?: { log?: (m: string) => void }): Promise<NodeInstall>;
/** `env` with `node`'s bin directory first on PATH. */
export function nodeEnv(node: NodeInstall, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
