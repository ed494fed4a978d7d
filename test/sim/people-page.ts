import { escapeHtml } from './html-escape';

/** The page a person opens at GET /: a button per scenario, chaos switches and live state. */
export function peoplePage(scenarios: { name: string; description: string }[], urls: { ws: string; sse: string; token: string }): string {
  const rows = scenarios
    .map((s) => `<tr><td><button data-scenario="${escapeHtml(s.name)}">${escapeHtml(s.name)}</button></td><td>${escapeHtml(s.description)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CTI Pop PBX simulator</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em;max-width:70em}td{padding:.2em .6em;vertical-align:top}
pre{background:#f4f4f4;padding:.8em;overflow:auto;max-height:28em}fieldset{margin:1em 0}</style></head>
<body><h1>CTI Pop PBX simulator</h1>
<p>WebSocket <code>${escapeHtml(urls.ws)}</code> · SSE <code>${escapeHtml(urls.sse)}</code> · token <code>${escapeHtml(urls.token)}</code></p>
<fieldset><legend>Play</legend>
<label>Speed <input id="speed" type="number" value="1" min="0.1" step="0.1"></label>
<label><input id="cdr" type="checkbox"> send CDR with ended</label>
<table>${rows}</table></fieldset>
<fieldset><legend>Chaos</legend>
<button data-post="/control/kill">Kill connections</button>
<button data-post="/control/stop">Stop accepting</button>
<button data-post="/control/start">Start accepting</button>
<label>Delay ms <input id="delay" type="number" value="0" min="0"></label><button id="set-delay">Set</button>
<label>Heartbeat ms <input id="hb" type="number" value="15000" min="0"></label><button id="set-hb">Set</button>
</fieldset>
<h2>Last answer</h2><pre id="last">(none yet)</pre>
<h2>State</h2><pre id="state">loading…</pre>
<script>
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) }).then((r) => r.json());
const show = (x) => { document.getElementById('last').textContent = JSON.stringify(x, null, 2); };
document.querySelectorAll('[data-scenario]').forEach((b) => b.addEventListener('click', () =>
  post('/control/scenario', { name: b.dataset.scenario, speed: Number(document.getElementById('speed').value), withCdr: document.getElementById('cdr').checked }).then(show)));
document.querySelectorAll('[data-post]').forEach((b) => b.addEventListener('click', () => post(b.dataset.post).then(show)));
document.getElementById('set-delay').addEventListener('click', () => post('/control/delay', { ms: Number(document.getElementById('delay').value) }).then(show));
document.getElementById('set-hb').addEventListener('click', () => post('/control/heartbeat', { ms: Number(document.getElementById('hb').value) }).then(show));
const poll = () => fetch('/control/state').then((r) => r.json()).then((x) => { document.getElementById('state').textContent = JSON.stringify(x, null, 2); });
poll();
setInterval(poll, 1000);
</script></body></html>`;
}
