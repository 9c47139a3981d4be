import type { Services } from '../services';

// Placeholder until this feature lands; see its issue.
export function registerExplorer(_services: Services): void {}
