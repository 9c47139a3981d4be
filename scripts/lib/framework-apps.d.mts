// Types for framework-apps.mjs, so TypeScript tests import it with checking.

export const frameworkAppsDir: string;
/** The installed app folder (absolute), e.g. for 'langchain' or 'ai-sdk/v7' (npm ci on first use). */
export function frameworkApp(name: string, log?: (line: string) => void): Promise<string>;
