import type { Services } from '../services';

// Placeholder until this feature lands; see its issue.
export function registerCodeLens(_services: Services): void {}
