// The framework sample apps, installed on first use (scripts/lib/framework-apps.mjs).

/** The installed app folder (absolute). */
export async function frameworkApp(name: string): Promise<string> {
  const { frameworkApp: install } = await import('../../scripts/lib/framework-apps.mjs');
  return install(name);
}
