import type { Services } from '../services';

// Placeholder until this feature lands; see its issue.
export function registerJumpToCode(_services: Services): void {}
