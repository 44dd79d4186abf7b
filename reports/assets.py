"""The report's inline stylesheet (the page loads nothing from the network)."""

CSS = """
:root{--bd:#d9d9d9;--mut:#666;--bg2:#f6f6f6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d1d1d}
header{padding:14px 22px 6px;border-bottom:1px solid var(--bd)}
h1{font-size:21px;margin:0 0 4px}h2{font-size:17px;margin:22px 0 8px}
main{padding:0 22px 40px}
nav a{margin-right:14px;color:#1a56a0;text-decoration:none}
.muted{color:var(--mut)}.count{color:var(--mut);font-weight:400;font-size:14px}
.summary{margin:4px 0}
.chip{display:inline-block;border-radius:10px;padding:0 9px;margin:0 4px 2px 0;font-size:13px;background:#eee}
.st-pass{background:#d9f2d9}.st-fail{background:#f6c8c8}.st-error{background:#e8c2da}.st-skip{background:#e6e6e6}
.v-unexplained{background:#c62828;color:#fff;font-weight:700}.v-convention{background:#fff0c2}
.v-framework-discrepancy{background:#ffd7b0}.v-framework-crash{background:#6a1b9a;color:#fff}.v-framework-error{background:#8e44ad;color:#fff}.v-document-erratum{background:#d7e3ff}.v-agree{background:#dff3df}
.alarm{border:2px solid #c62828;background:#fff4f4;border-radius:6px;padding:4px 14px;margin-top:14px}
.alarm h2{color:#b71c1c;margin-top:8px}
table{border-collapse:collapse}th,td{border:1px solid var(--bd);padding:2px 6px;vertical-align:top}
th{background:var(--bg2);text-align:left;font-weight:600}
.scroll{overflow:auto;max-width:100%}
.toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:6px 0}
.toolbar label{font-size:13px;color:var(--mut)}
.toolbar input,.toolbar select{font:inherit;padding:2px 4px}
#matrix{font-size:12px}#matrix th{white-space:nowrap;text-align:center}
#matrix th.rowh{text-align:left;font-weight:500}
#matrix th.rowh small{color:var(--mut);margin-left:6px}
#matrix td.cell{min-width:44px;text-align:center;cursor:pointer;position:relative;font-variant-numeric:tabular-nums}
#matrix td.cell:hover{outline:2px solid #1a56a0;z-index:1}
#matrix td.none{background:#fff}
#matrix td.dim{opacity:.18}
#matrix td.v-unexplained{outline:3px solid #b71c1c;outline-offset:-3px;font-weight:700}
.mk{position:absolute;top:-1px;right:1px;font-size:10px;font-weight:700}
.legend{display:flex;flex-wrap:wrap;gap:10px;align-items:center;font-size:12px;color:var(--mut);margin:6px 0}
.legend .sw{display:inline-block;width:26px;height:14px;vertical-align:middle;border:1px solid var(--bd);text-align:center;font-size:10px;line-height:13px}
.grad{display:inline-block;width:160px;height:14px;vertical-align:middle;border:1px solid var(--bd)}
#caselist{font-size:12px}#caselist th{cursor:pointer;white-space:nowrap}#caselist tbody tr{cursor:pointer}
#caselist tbody tr:hover{background:#eef4fb}
.num{text-align:right;font-variant-numeric:tabular-nums}
#detail{position:fixed;top:0;right:0;width:min(760px,96vw);height:100vh;overflow:auto;background:#fff;
 border-left:2px solid #888;box-shadow:-4px 0 18px rgba(0,0,0,.18);padding:10px 18px 30px;z-index:10}
#detail h3{margin:4px 0 8px;font-size:16px;word-break:break-all;padding-right:30px}
#detail .close{position:absolute;top:8px;right:12px;font-size:20px;border:0;background:none;cursor:pointer}
#detail dl{display:grid;grid-template-columns:130px 1fr;gap:2px 10px;margin:0 0 10px}
#detail dt{color:var(--mut)}#detail dd{margin:0;word-break:break-word}
#detail table{font-size:12px;width:100%}
pre.repro{background:#f3f3f3;border:1px solid var(--bd);padding:6px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
button.copy{font:inherit;font-size:12px;cursor:pointer}
.reason{color:#8a1c1c;font-size:12px}
table.findings{font-size:13px;max-width:100%}table.findings td{min-width:7em;max-width:520px;word-break:break-word}
table.env th{width:160px}table.env td{word-break:break-word}
table.bench{font-size:12px}
.plots{display:flex;flex-wrap:wrap;gap:14px}.plots figure{margin:0;border:1px solid var(--bd);padding:4px}
.plots figcaption{font-size:12px;color:var(--mut)}
svg text{font:11px system-ui,sans-serif}
"""
