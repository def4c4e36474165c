/**
 * The dashboard's stylesheet and script, served by the Worker itself (`/admin/ui/assets/…`): no
 * CDN, no build step, and a Content-Security-Policy of `'self'` with no inline code at all.
 */

export const CSS = `
:root {
  --bg: #f5f6f8; --surface: #fff; --sunken: #f0f2f5; --border: #e2e5ea; --border-strong: #cfd4dc;
  --text: #17191c; --muted: #646b76; --faint: #8c939e; --accent: #3b5bdb; --accent-text: #fff;
  --ok: #1f7a3f; --ok-bg: #e3f6e8; --warn: #925c00; --warn-bg: #fdf1d6; --bad: #b42318; --bad-bg: #fde7e5;
  --info: #1d4fb8; --info-bg: #e2ebfd; --odd: #6a3fc4; --odd-bg: #efe8fc; --none: #555c66; --none-bg: #eceef1;
  --shadow: 0 1px 2px rgba(16, 24, 40, .06);
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111316; --surface: #181b1f; --sunken: #1f2328; --border: #2b3037; --border-strong: #3a414a;
    --text: #e6e8eb; --muted: #9aa2ad; --faint: #737b86; --accent: #7c93f5; --accent-text: #0c0e12;
    --ok: #6fd394; --ok-bg: #173322; --warn: #f0c060; --warn-bg: #3a2c0f; --bad: #ff8a80; --bad-bg: #3d1a17;
    --info: #8fb2ff; --info-bg: #172743; --odd: #c4a7ff; --odd-bg: #2a1f45; --none: #aab1bb; --none-bg: #262a30;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 22px; line-height: 1.25; margin: 0; font-weight: 650; letter-spacing: -.01em; }
h2 { font-size: 15px; margin: 0 0 12px; font-weight: 650; }
h1 .mono { font-size: 19px; font-weight: 600; letter-spacing: 0; }
h1 .badge { vertical-align: 3px; }
code, .mono, pre { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.faint { color: var(--faint); }
.nowrap { white-space: nowrap; }
.mt { margin-top: 12px; }

.topbar {
  background: var(--surface); border-bottom: 1px solid var(--border);
  position: sticky; top: 0; z-index: 10;
}
.topbar-inner { max-width: 1320px; margin: 0 auto; padding: 0 20px; display: flex; align-items: center; gap: 24px; height: 52px; }
.brand { font-weight: 700; font-size: 16px; color: var(--text); display: flex; align-items: center; gap: 8px; }
.brand:hover { text-decoration: none; }
.brand svg { color: var(--accent); }
.nav { display: flex; gap: 2px; flex: 1; overflow-x: auto; }
.nav a { color: var(--muted); padding: 6px 10px; border-radius: 6px; font-weight: 500; white-space: nowrap; }
.nav a:hover { color: var(--text); background: var(--sunken); text-decoration: none; }
.nav a[aria-current="page"] { color: var(--text); background: var(--sunken); }
.signout { margin: 0; }

main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 64px; }
.page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 18px; }
.page-head .sub { color: var(--muted); margin-top: 4px; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.grid { display: grid; gap: 16px; }
.grid.two { grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); align-items: start; }
.grid.cards { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.stack { display: flex; flex-direction: column; gap: 16px; }
.stack > * { min-width: 0; }

.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; box-shadow: var(--shadow); }
.card > .card-body { padding: 16px 18px; }
.card > .card-head { padding: 12px 18px; border-bottom: 1px solid var(--border); display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.card > .card-head h2 { margin: 0; }

.btn {
  display: inline-flex; align-items: center; gap: 6px; font: inherit; font-weight: 550; cursor: pointer;
  border: 1px solid var(--border-strong); background: var(--surface); color: var(--text);
  padding: 6px 12px; border-radius: 7px; line-height: 1.4; white-space: nowrap;
}
.btn:hover { background: var(--sunken); text-decoration: none; }
.btn:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.btn.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.btn.primary:hover { filter: brightness(1.07); }
.btn.danger { color: var(--bad); border-color: color-mix(in srgb, var(--bad) 45%, var(--border)); }
.btn.danger.solid { background: var(--bad); color: #fff; border-color: var(--bad); }
.btn.small { padding: 3px 9px; font-size: 12.5px; }
.btn.ghost { border-color: transparent; background: transparent; color: var(--muted); }
.btn.ghost:hover { color: var(--text); background: var(--sunken); }
.btn[disabled] { opacity: .5; cursor: not-allowed; }
form.inline { display: inline; margin: 0; }

label.field { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); font-weight: 550; min-width: 0; }
input[type="text"], input[type="email"], input[type="password"], input[type="tel"], input[type="date"],
input[type="datetime-local"], select {
  font: inherit; font-size: 13.5px; color: var(--text); background: var(--surface);
  font-weight: 400; border: 1px solid var(--border-strong); border-radius: 7px; padding: 0 9px;
  height: 34px; min-width: 0; width: 100%;
}
input::placeholder { color: var(--faint); }
.filters { display: grid; gap: 10px 12px; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); align-items: end; }
.row { display: flex; gap: 12px 16px; align-items: end; flex-wrap: wrap; }
.row .field { width: 260px; }
.row .check { height: 34px; }
.filters .buttons { display: flex; gap: 8px; }
.check { display: inline-flex; gap: 8px; align-items: center; font-size: 13.5px; }

.chips { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 14px; }
.chip { padding: 3px 10px; border-radius: 999px; border: 1px solid var(--border); background: var(--surface); color: var(--muted); font-size: 12.5px; font-weight: 550; }
.chip:hover { color: var(--text); text-decoration: none; border-color: var(--border-strong); }
.chip[aria-current="true"] { background: var(--text); color: var(--surface); border-color: var(--text); }

.badge {
  display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px; border-radius: 999px;
  font-size: 12px; font-weight: 600; white-space: nowrap; background: var(--none-bg); color: var(--none);
}
.badge::before { content: ""; width: 6px; height: 6px; border-radius: 50%; background: currentColor; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.odd { background: var(--odd-bg); color: var(--odd); }
.badge.plain::before { display: none; }
.dchips { display: flex; gap: 4px; flex-wrap: wrap; }
.dchip { font-size: 11.5px; padding: 0 7px; border-radius: 5px; border: 1px solid var(--border); white-space: nowrap; color: var(--muted); }
.dchip.ok { border-color: color-mix(in srgb, var(--ok) 35%, transparent); color: var(--ok); }
.dchip.bad { border-color: color-mix(in srgb, var(--bad) 35%, transparent); color: var(--bad); }
.dchip.warn { border-color: color-mix(in srgb, var(--warn) 35%, transparent); color: var(--warn); }
.dchip.info { border-color: color-mix(in srgb, var(--info) 35%, transparent); color: var(--info); }

.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; background: var(--sunken); white-space: nowrap; }
tbody tr:hover td { background: color-mix(in srgb, var(--sunken) 60%, transparent); }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err { color: var(--bad); max-width: 340px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
td .id { font-family: var(--mono); font-size: 12.5px; }
@media (max-width: 860px) { .opt { display: none; } }
@media (max-width: 720px) {
  .topbar-inner { flex-wrap: wrap; height: auto; padding: 8px 14px 0; gap: 4px 12px; justify-content: space-between; }
  .nav { order: 3; flex-basis: 100%; padding-bottom: 6px; }
  main { padding: 16px 14px 48px; }
  .filters { grid-template-columns: 1fr 1fr; }
  /* Rows as cards: a phone shows every cell of an event without scrolling sideways. */
  table.responsive thead { display: none; }
  table.responsive tr { display: block; padding: 10px 14px; border-bottom: 1px solid var(--border); }
  table.responsive td { display: grid; grid-template-columns: 6.5em 1fr; justify-items: start; gap: 8px; border: 0; padding: 2px 0; }
  table.responsive td::before { content: attr(data-label); color: var(--muted); font-size: 12px; }
  table.responsive td.opt { display: none; }
}

.empty { text-align: center; padding: 48px 20px; color: var(--muted); }
.empty svg { color: var(--faint); margin-bottom: 8px; }
.empty h3 { color: var(--text); margin: 0 0 4px; font-size: 15px; }
.empty p { margin: 0 auto; max-width: 420px; }

.pager { display: flex; justify-content: space-between; align-items: center; padding: 10px 14px; border-top: 1px solid var(--border); color: var(--muted); font-size: 13px; }

.flash { padding: 10px 14px; border-radius: 8px; margin-bottom: 16px; border: 1px solid; }
.flash.ok { background: var(--ok-bg); color: var(--ok); border-color: color-mix(in srgb, var(--ok) 30%, transparent); }
.flash.bad { background: var(--bad-bg); color: var(--bad); border-color: color-mix(in srgb, var(--bad) 30%, transparent); }
.flash.info { background: var(--info-bg); color: var(--info); border-color: color-mix(in srgb, var(--info) 30%, transparent); }

dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
pre { margin: 0; padding: 12px 14px; background: var(--sunken); border-radius: 8px; overflow: auto; max-height: 420px; line-height: 1.45; }
.diff-row td { font-family: var(--mono); font-size: 12.5px; }
tr.changed td.after { background: var(--warn-bg); }
tr.added td.after { background: var(--ok-bg); }
tr.removed td.before { background: var(--bad-bg); text-decoration: line-through; }

.stats { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); }
.stat { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 12px 16px; box-shadow: var(--shadow); }
.stat .label { color: var(--muted); font-size: 12px; font-weight: 550; }
.stat .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; letter-spacing: -.01em; }
.stats.compact { grid-template-columns: repeat(auto-fit, minmax(96px, 1fr)); }
.stats.compact .value { font-size: 20px; }
.stat .value.ok { color: var(--ok); } .stat .value.bad { color: var(--bad); } .stat .value.warn { color: var(--warn); }

.chart { width: 100%; height: auto; display: block; }
.chart text { fill: var(--muted); font-size: 11px; font-family: inherit; }
.chart .grid-line { stroke: var(--border); }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12.5px; color: var(--muted); margin-top: 8px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; background: var(--swatch); }
.s-delivered { --swatch: #2f9e58; } .s-partial { --swatch: #e5a50a; } .s-pending { --swatch: #4c7bea; }
.s-dead { --swatch: #d64541; } .s-invalid { --swatch: #8a5cf5; } .s-unrouted { --swatch: #8c939e; }
.s-ignored { --swatch: #b7bdc6; } .s-merged { --swatch: #6bb8c9; }
.chart rect.seg, .mini rect[class^="s-"] { fill: var(--swatch); }
.bar { fill: var(--accent); } .bar-track { fill: var(--sunken); }
.mini { width: 120px; height: 8px; display: block; }

.progress { width: 100%; height: 14px; display: block; border-radius: 7px; overflow: hidden; }
.progress .track { fill: var(--sunken); } .progress .fill { fill: var(--accent); transition: width .4s ease; }
.progress .skip { fill: var(--warn); }

.dest-card .card-head { align-items: flex-start; }
.dest-card { display: flex; flex-direction: column; }
.dest-card > .card-body { flex: 1; display: flex; flex-direction: column; }
.dest-card .actions.mt { margin-top: auto; padding-top: 12px; }
.dest-card .name { font-weight: 650; font-size: 15px; }
.kv { display: flex; justify-content: space-between; gap: 12px; padding: 4px 0; border-bottom: 1px dashed var(--border); font-size: 13px; }
.kv:last-child { border-bottom: 0; }
.kv span:first-child { color: var(--muted); }
.note { font-size: 13px; color: var(--muted); margin: 8px 0 0; }
.callout { border-left: 3px solid var(--bad); background: var(--bad-bg); padding: 10px 14px; border-radius: 0 8px 8px 0; color: var(--text); }
.callout.warn { border-color: var(--warn); background: var(--warn-bg); }

.login { min-height: 100vh; display: grid; place-items: center; padding: 20px; }
.login .card { width: 100%; max-width: 380px; }
.login .card-body { padding: 28px; }
.login h1 { margin-bottom: 4px; }
.login form { display: grid; gap: 14px; margin-top: 18px; }
.error-page { max-width: 560px; margin: 60px auto; text-align: center; }
.error-page .code { font-size: 13px; color: var(--muted); font-family: var(--mono); }
details summary { cursor: pointer; color: var(--muted); }
`;

export const SCRIPT = `
'use strict';
// Forms that ask first: data-confirm holds the question.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A bulk replay's progress, polled until the job is done or canceled.
const job = document.querySelector('[data-job-poll]');
if (job) {
  const set = (name, value) => {
    for (const el of job.querySelectorAll('[data-field="' + name + '"]')) el.textContent = value;
  };
  const tick = async () => {
    try {
      const response = await fetch(job.dataset.jobPoll, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) throw new Error(String(response.status));
      const { job: state } = await response.json();
      const done = state.replayed + state.skipped;
      const pct = state.matched ? Math.min(100, (100 * done) / state.matched) : 100;
      set('replayed', state.replayed.toLocaleString());
      set('skipped', state.skipped.toLocaleString());
      set('matched', state.matched.toLocaleString());
      set('percent', Math.floor(pct) + '%');
      set('status', state.status);
      const badge = job.querySelector('[data-field="status"]');
      if (badge) badge.className = 'badge ' + ({ running: 'info', done: 'ok', canceled: 'warn' }[state.status] || '');
      const fill = job.querySelector('.fill');
      if (fill) fill.setAttribute('width', pct + '%');
      job.dataset.status = state.status;
      if (state.status === 'running') setTimeout(tick, 1000);
      else for (const el of job.querySelectorAll('[data-while-running]')) el.remove();
    } catch {
      setTimeout(tick, 3000);
    }
  };
  if (job.dataset.status === 'running') setTimeout(tick, 500);
}
`;

/** A short content hash for the asset URLs, so a deploy never serves yesterday's cached copy. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

export const ASSET_VERSION = fnv1a(CSS + SCRIPT);
