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
    expect(html).toContain('<canvas id="chart-os-osbench"');
    expect(html).toContain('<h2>OS table — osbench: lab cycles per operation and ratio to native');
    expect(html).toContain('<tr><td>fork_exit_wait (test)</td><td>✓ 97.4k ×1.00</td><td>✓ 195k ×2.00</td></tr>');
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
          type Chart = { canvas: HTMLCanvasElement; data: { labels: unknown[]; datasets: unknown[] }; scales: Record<string, { type: string; max: number }> };
          const w = window as unknown as { virtlabCharts?: Chart[] };
          return (w.virtlabCharts ?? []).map((c) => ({
            id: c.canvas.id,
            datasets: c.data.datasets.length,
            labels: c.data.labels.length,
            y: c.scales.y?.type,
            yMax: c.scales.y?.max,
          }));
        });
        expect(errors).toEqual([]);
        expect(charts.map((c) => [c.id, c.datasets, c.labels, c.y])).toEqual([
          ['chart-lab', 2, 3, 'linear'],
          ['chart-os-osbench', 2, 9, 'logarithmic'],
          ['chart-host', 3, 3, 'logarithmic'],
        ]);
        // The OS chart's axis reaches the dearest item (fork_execve under vmm-full: 442k cycles).
        expect(charts[1]!.yMax).toBeGreaterThanOrEqual(442_444);
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
        expect(inked.length).toBe(3);
        for (const n of inked) expect(n).toBeGreaterThan(1000);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
