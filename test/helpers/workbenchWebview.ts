// The active trace panel's document in the real workbench, for the Playwright tests: VS Code nests
// each webview's document in an inner frame.
import type { FrameLocator, Page } from 'playwright-core';

export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
