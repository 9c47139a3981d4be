// The framework sample apps, installed on first use (scripts/lib/framework-apps.mjs).

/** The installed app folder (absolute). */
export async function frameworkApp(name: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/ban-ts-comment
  // @ts-ignore -- plain .mjs module shared with the benchmarks
  const { frameworkApp: install } = await import('../../scripts/lib/framework-apps.mjs');
  return (await install(name)) as string;
}
