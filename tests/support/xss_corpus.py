"""Payloads that try to run script or inject markup, for the bad-input tests.

Each one, if it worked, would create an element with id "xss", call alert(),
or leave an attribute or URL that runs code. Stored anywhere (comment body,
name, URL, article body), they must come back as inert text or be removed.
"""

XSS_PAYLOADS: list[str] = [
    # Script elements
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<script src=//evil.example/x.js></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "<script>document.body.insertAdjacentHTML('beforeend','<b id=xss>')</script>",
    # Event-handler attributes
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<body onload=alert(1)>",
    '<div id="xss" onmouseover="alert(1)">hover</div>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus '",
    # javascript: / data: URLs, mixed case and with embedded tabs or entities
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java\tscript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](data:text/html,<script>alert(1)</script>)",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # htmx attributes smuggled into content
    '<div hx-get="/" hx-trigger="load" hx-target="body" id="xss">x</div>',
    '<button hx-post="/contact/" hx-trigger="load">x</button>',
    '<div hx-on:htmx:load="alert(1)">x</div>',
    '<div hx-on::load="alert(1)" id="xss">x</div>',
    '<div data-hx-get="/" data-hx-trigger="load">x</div>',
    '<a hx-boost="true" hx-vals=\'js:{a: alert(1)}\' href="/">x</a>',
    '<div hx-swap-oob="true" id="alerts"><b id="xss">owned</b></div>',
    # Styles, meta and base
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # Template injection (Jinja, JS template literals, others)
    "{{ 'folio' * 3 }}",
    "{% for x in range(3) %}folio{% endfor %}",
    "{{ config }}",
    "${'folio'.repeat(3)}",
    "#{7*7}",
    "<%= 7*7 %>",
    # Encodings and entities
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]

# Strings a rendered page must never contain after any payload above was stored:
# they only appear if a payload's template syntax was evaluated.
TEMPLATE_RESULTS = ["foliofoliofolio", "SECRET_KEY"]
