// A small horizontal stacked-bar chart (input + output cost per request) as inline SVG.
import { fmtUSD } from './util.js';

const NS = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, text) => {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
};

/**
 * Draws `items` ({ key, input, output } in USD) into `figure` (a <figure> with an <svg> and a
 * <figcaption>). The SVG scales to its container; colours come from CSS variables.
 */
export function costChart(figure, items, caption) {
  // drawn at the figure's own width, so that text is never scaled
  const W = Math.max(300, (figure.clientWidth || 640) - 26);
  const LABEL = Math.min(230, Math.round(W * 0.42)), VALUE = 80, ROW = 26, PAD = 4;
  const H = Math.max(1, items.length) * ROW + PAD * 2;
  const top = Math.max(0, ...items.map((d) => (d.input || 0) + (d.output || 0)));
  const scale = top > 0 ? (W - LABEL - VALUE - 8) / top : 0;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'chart', preserveAspectRatio: 'xMinYMin meet' });
  const summary = items.map((d) => `${d.key}: ${fmtUSD((d.input || 0) + (d.output || 0))}`).join('; ');
  root.append(svg('title', {}, `Cost per request. ${summary}`));
  if (!items.length) root.append(svg('text', { x: 0, y: PAD + 16, class: 'chart-label' }, 'No model matches the filters.'));
  items.forEach((d, i) => {
    const y = PAD + i * ROW;
    const max = Math.floor(LABEL / 7.2); // ~ characters that fit at 12px
    const name = d.key.length > max ? `…${d.key.slice(-(max - 1))}` : d.key;
    const g = svg('g');
    g.append(svg('text', { x: LABEL - 8, y: y + ROW / 2 + 4, 'text-anchor': 'end', class: 'chart-label' }, name));
    const wi = Math.max(0, (d.input || 0) * scale), wo = Math.max(0, (d.output || 0) * scale);
    g.append(svg('rect', { x: LABEL, y: y + 5, width: wi.toFixed(1), height: ROW - 10, rx: 2, class: 'chart-in' }));
    g.append(svg('rect', { x: (LABEL + wi).toFixed(1), y: y + 5, width: wo.toFixed(1), height: ROW - 10, rx: 2, class: 'chart-out' }));
    const total = (d.input || 0) + (d.output || 0);
    g.append(svg('text', { x: (LABEL + wi + wo + 6).toFixed(1), y: y + ROW / 2 + 4, class: 'chart-value' }, Number.isNaN(d.input) ? '…' : fmtUSD(total)));
    g.append(svg('title', {}, `${d.key}: input ${fmtUSD(d.input)}, output ${fmtUSD(d.output)}`));
    root.append(g);
  });
  figure.querySelector('svg')?.remove();
  figure.prepend(root);
  figure.querySelector('figcaption .what').textContent = caption;
}
