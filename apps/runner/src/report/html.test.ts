import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sampleResult } from './fixtures.js';
import { renderHtml } from './html.js';

const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('HTML report', () => {
  it('is one self-contained page: no external scripts, styles or images', () => {
    const html = renderHtml(sampleResult());
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('<canvas id="chart-lab"');
    expect(html).toContain('<canvas id="chart-host"');
    expect(html.length).toBeGreaterThan(100_000); // Chart.js is inlined
  });

  it.skipIf(browserPath === undefined)(
    'renders its charts in headless Chromium, offline (skips when Debian chromium is absent)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'virtlab-html-'));
      const file = join(dir, 'report.html');
      writeFileSync(file, renderHtml(sampleResult()));
      const browser = await chromium.launch({
        executablePath: browserPath!,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        // Any request leaving the file would mean the page is not self-contained.
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(pathToFileURL(file).href);
        const charts = await page.evaluate(() => {
          const w = window as unknown as { virtlabCharts?: { data: { datasets: unknown[] } }[] };
          return (w.virtlabCharts ?? []).map((c) => c.data.datasets.length);
        });
        expect(errors).toEqual([]);
        expect(charts).toEqual([2, 3]);
        // The canvases hold drawn pixels, not a blank bitmap.
        const inked = await page.evaluate(() =>
          [...document.querySelectorAll('canvas')].map((canvas) => {
            const ctx = canvas.getContext('2d')!;
            const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
            return painted;
          }),
        );
        expect(inked.length).toBe(2);
        for (const n of inked) expect(n).toBeGreaterThan(1000);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
