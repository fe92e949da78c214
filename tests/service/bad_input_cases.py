"""The bad-input corpus as data: (group, name, files, args, fragments) per case.

`files` replaces the good settings (`outcomes.yaml`) and catalogue (`okrs.yaml`) or adds files;
`args` is the command line; every fragment must appear in the one line the command prints.
Nothing here needs Jira: each input is refused before anything is contacted.
"""

from __future__ import annotations

TOKEN = "s3cret-token-value"

SETTINGS = """\
version: 1
jira:
  url: https://jira.example.com
  auth: {email: a@example.com, token: "${JIRA_TOKEN}"}
portfolios:
  - {id: retail, name: Retail, epics_jql: "issuetype = Epic"}
catalogue: {files: [okrs.yaml]}
"""

CATALOGUE = """\
version: 1
cycles:
  - {id: 2026-Q3, start: 2026-07-01, end: 2026-09-30}
  - {id: 2026-Q4, start: 2026-10-01, end: 2026-12-31}
teams:
  - {id: payments, name: Payments, projects: [PAY]}
  - {id: mobile, name: Mobile, projects: [MOB]}
objectives:
  - id: P1
    cycle: 2026-Q4
    title: Payments
    key_results:
      - {id: P1.KR1, title: Success rate, start: 97, target: 99, current: 98}
  - id: PAY-O1
    cycle: 2026-Q4
    team: payments
    title: Fewer failures
    supports: [P1.KR1]
    key_results:
      - {id: PAY-O1.KR1, title: Failures, start: 28, target: 14}
"""

Files = dict[str, str | bytes | None]  # None: no such file (not even the default one)
Case = tuple[str, str, Files, tuple[str, ...], tuple[str, ...]]

CHECK = ("check", "--config", "outcomes.yaml")
WIKI = "confluence: {url: 'https://w.example.com', space: P, auth: {token: x}"


def s(old: str, new: str) -> Files:
    """The good settings with one edit."""
    assert old in SETTINGS, old
    return {"outcomes.yaml": SETTINGS.replace(old, new, 1)}


def s_add(text: str) -> Files:
    return {"outcomes.yaml": SETTINGS + text}


def c(old: str, new: str) -> Files:
    """The good catalogue with one edit."""
    assert old in CATALOGUE, old
    return {"okrs.yaml": CATALOGUE.replace(old, new, 1)}


def c_add(text: str) -> Files:
    return {"okrs.yaml": CATALOGUE + text}


def url(value: str) -> Files:
    return s("https://jira.example.com", value)


def jira(line: str) -> Files:
    """A line added to the jira section."""
    return s("  url: https", f"  {line}\n  url: https")


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)
)
HUGE = "# " + "x" * (5 * 1024 * 1024) + "\n"
NO_PORTFOLIO = '  - {id: retail, name: Retail, epics_jql: "issuetype = Epic"}\n'
TWO_PORTFOLIOS = NO_PORTFOLIO + '  - {id: retail, name: Retail 2, epics_jql: "project = X"}\n'
JIRA_SECTION = (
    "jira:\n  url: https://jira.example.com\n"
    '  auth: {email: a@example.com, token: "${JIRA_TOKEN}"}\n'
)

# fmt: off
ENCODING: list[Case] = [
    ("encoding", "settings-utf16-le-bom", {"outcomes.yaml": SETTINGS.encode("utf-16")}, CHECK,
     ("outcomes.yaml", "UTF-16", "save it as UTF-8")),
    ("encoding", "settings-utf16-be", {"outcomes.yaml": SETTINGS.encode("utf-16-be")}, CHECK,
     ("outcomes.yaml", "UTF-16", "UTF-8")),
    ("encoding", "settings-utf16-le-no-bom", {"outcomes.yaml": SETTINGS.encode("utf-16-le")},
     CHECK, ("outcomes.yaml", "UTF-16", "UTF-8")),
    ("encoding", "settings-latin1", {"outcomes.yaml": (SETTINGS + "# Größe\n").encode("latin-1")},
     CHECK, ("outcomes.yaml", "not UTF-8", "0xf6", "line 8")),
    ("encoding", "settings-cp1252-quote", {"outcomes.yaml": SETTINGS.encode() + b"# \x93x\x94\n"},
     CHECK, ("outcomes.yaml", "not UTF-8", "0x93")),
    ("encoding", "catalogue-utf16", {"okrs.yaml": CATALOGUE.encode("utf-16")}, CHECK,
     ("okrs.yaml", "UTF-16", "save it as UTF-8")),
    ("encoding", "catalogue-latin1",
     {"okrs.yaml": CATALOGUE.replace("Payments\n", "Zahlungsverkehr für alle\n").encode("latin-1")},
     CHECK, ("okrs.yaml", "not UTF-8", "0xfc")),
    ("encoding", "catalogue-binary", {"okrs.yaml": bytes(range(256))}, CHECK,
     ("okrs.yaml", "UTF-16 (or not text)")),
]

YAML: list[Case] = [
    ("yaml", "duplicate-top-level-key", s_add("catalogue: {files: [other.yaml]}\n"), CHECK,
     ("outcomes.yaml", "catalogue", "written twice", "lines 7 and 8")),
    ("yaml", "duplicate-nested-key", jira("url: https://x.org"), CHECK,
     ("outcomes.yaml", "jira.url", "written twice")),
    ("yaml", "duplicate-key-in-list-item",
     s("{id: retail, name: Retail,", "{id: retail, name: Retail, id: other,"), CHECK,
     ("outcomes.yaml", "portfolios[0].id", "written twice")),
    ("yaml", "duplicate-catalogue-key",
     c("    title: Payments\n", "    title: Payments\n    title: Payouts\n"), CHECK,
     ("okrs.yaml", "objectives[0].title", "written twice")),
    ("yaml", "duplicate-kr-key", c("start: 97, target: 99", "start: 97, target: 99, start: 1"),
     CHECK, ("okrs.yaml", "objectives[0].key_results[0].start", "written twice")),
    ("yaml", "alias-bomb-settings", s_add(BOMB), CHECK,
     ("outcomes.yaml", "too many aliases", "write the values out")),
    ("yaml", "alias-bomb-catalogue", c_add(BOMB), CHECK, ("okrs.yaml", "too many aliases")),
    ("yaml", "recursive-alias", s_add("loop: &loop [*loop]\n"), CHECK,
     ("outcomes.yaml", "loop", "too many aliases or nested levels")),
    ("yaml", "many-aliases", s_add("x: &x 1\nmany: [" + ", ".join(["*x"] * 1200) + "]\n"),
     CHECK, ("outcomes.yaml", "many", "too many aliases")),
    ("yaml", "huge-settings", s_add(HUGE), CHECK, ("outcomes.yaml", "larger than 5 MB")),
    ("yaml", "huge-catalogue", c_add(HUGE), CHECK,
     ("okrs.yaml", "larger than 5 MB", "catalogue.files")),
    ("yaml", "deep-nesting", s_add("deep: " + "[" * 300 + "]" * 300 + "\n"), CHECK,
     ("outcomes.yaml", "deep")),
    ("yaml", "broken-settings", s_add("portfolios: [unclosed\n"), CHECK,
     ("outcomes.yaml", "broken YAML at line 9")),
    ("yaml", "broken-catalogue", c("cycles:\n", "cycles: [\n"), CHECK,
     ("okrs.yaml", "broken YAML at line")),
    ("yaml", "tab-indent", s("  url: https", "\turl: https"), CHECK,
     ("outcomes.yaml", "broken YAML at line 3")),
    ("yaml", "undefined-alias", s_add("x: *nowhere\n"), CHECK,
     ("outcomes.yaml", "broken YAML", "nowhere")),
    ("yaml", "settings-a-list", {"outcomes.yaml": "- version: 1\n"}, CHECK,
     ("outcomes.yaml", "expected a mapping", "'version': 1")),
    ("yaml", "settings-empty", {"outcomes.yaml": ""}, CHECK,
     ("outcomes.yaml", "expected a mapping", "null")),
    ("yaml", "catalogue-a-list", {"okrs.yaml": "- 1\n"}, CHECK,
     ("okrs.yaml", "expected a mapping", "version")),
    ("yaml", "catalogue-a-folder", {**s("[okrs.yaml]", "[okrs]"), "okrs/x": ""}, CHECK,
     ("okrs", "is a folder", "name the YAML file")),
    ("yaml", "catalogue-missing", s("[okrs.yaml]", "[okr.yaml]"), CHECK,
     ("okr.yaml", "file not found")),
]

SETTINGS_CASES: list[Case] = [
    ("settings", "version-2", s("version: 1", "version: 2"), CHECK,
     ("outcomes.yaml", "version", "unsupported settings version 2", "allowed: 1")),
    ("settings", "version-text", s("version: 1", "version: one"), CHECK,
     ("outcomes.yaml", "version", "'one'", "allowed: 1")),
    ("settings", "version-true", s("version: 1", "version: true"), CHECK,
     ("outcomes.yaml", "version", "unsupported settings version true", "allowed: 1")),
    ("settings", "version-missing", s("version: 1\n", ""), CHECK,
     ("outcomes.yaml", "version", "missing required key")),
    ("settings", "url-scheme-only", url('"http://"'), CHECK,
     ("outcomes.yaml", "jira.url", "'http://'", "https://acme.atlassian.net")),
    ("settings", "url-with-space", url('"https://jira example.com"'), CHECK,
     ("outcomes.yaml", "jira.url", "'https://jira example.com'", "no spaces")),
    ("settings", "url-ftp", url("ftp://jira.example.com"), CHECK,
     ("outcomes.yaml", "jira.url", "'ftp://jira.example.com'")),
    ("settings", "url-no-scheme", url("jira.example.com"), CHECK,
     ("outcomes.yaml", "jira.url", "'jira.example.com'")),
    ("settings", "url-bad-port", url("https://jira.example.com:http"), CHECK,
     ("outcomes.yaml", "jira.url", "'https://jira.example.com:http'")),
    ("settings", "url-bad-ipv6", url('"https://[::1"'), CHECK,
     ("outcomes.yaml", "jira.url", "'https://[::1'")),
    ("settings", "url-number", url("42"), CHECK, ("outcomes.yaml", "jira.url", "42")),
    ("settings", "url-newline", url('"https://jira.example.com\\nx"'), CHECK,
     ("outcomes.yaml", "jira.url", "control characters")),
    ("settings", "url-credentials", url("https://bob:hunter22@jira.example.com"), CHECK,
     ("outcomes.yaml", "jira.url", "https://***@jira.example.com", "credentials in auth")),
    ("settings", "url-user-only", url("https://bob@jira.example.com"), CHECK,
     ("outcomes.yaml", "jira.url", "https://***@jira.example.com")),
    ("settings", "confluence-url-credentials", s_add(
        "confluence: {url: 'https://u:pw@wiki.example.com', space: P,"
        " auth: {token: '${JIRA_TOKEN}'}}\n"), CHECK,
     ("outcomes.yaml", "confluence.url", "https://***@wiki.example.com")),
    ("settings", "confluence-url-empty",
     s_add("confluence: {url: '', space: P, auth: {token: x}}\n"), CHECK,
     ("outcomes.yaml", "confluence.url", "''")),
    ("settings", "deployment", jira("deployment: server"), CHECK,
     ("outcomes.yaml", "jira.deployment", "'server'", "auto, cloud, datacenter")),
    ("settings", "timeout-zero", jira("timeout: 0"), CHECK,
     ("outcomes.yaml", "jira.timeout", "greater than 0", "got 0")),
    ("settings", "timeout-text", jira("timeout: soon"), CHECK,
     ("outcomes.yaml", "jira.timeout", "'soon'")),
    ("settings", "search-window", jira("search_window: 5"), CHECK,
     ("outcomes.yaml", "jira.search_window", "at least 100", "got 5")),
    ("settings", "retries", jira("retries: {max_attempts: 0}"), CHECK,
     ("outcomes.yaml", "jira.retries.max_attempts", "got 0")),
    ("settings", "retries-typo", jira("retries: {attempts: 3}"), CHECK,
     ("outcomes.yaml", "jira.retries", "'attempts'")),
    ("settings", "jira-typo", s("  url: https", "  ulr: https"), CHECK,
     ("outcomes.yaml", "jira", "'ulr'", "did you mean 'url'")),
    ("settings", "jira-missing", s(JIRA_SECTION, ""), CHECK,
     ("outcomes.yaml", "jira", "missing required key")),
    ("settings", "token-empty-literal", s('token: "${JIRA_TOKEN}"', 'token: ""'), CHECK,
     ("outcomes.yaml", "jira.auth.token", "must not be empty")),
    ("settings", "auth-not-mapping",
     s('{email: a@example.com, token: "${JIRA_TOKEN}"}', "secret"), CHECK,
     ("outcomes.yaml", "jira.auth", "'secret'")),
    ("settings", "unknown-top-key", s_add("jria: {}\n"), CHECK,
     ("outcomes.yaml", "'jria'", "did you mean 'jira'")),
    ("settings", "bands-inverted", s_add("status_bands: {on_track: 0.4, at_risk: 0.7}\n"), CHECK,
     ("outcomes.yaml", "status_bands.at_risk", "below on_track (0.4)", "got 0.7")),
    ("settings", "bands-equal", s_add("status_bands: {on_track: 0.5, at_risk: 0.5}\n"), CHECK,
     ("outcomes.yaml", "status_bands.at_risk", "below on_track (0.5)", "got 0.5")),
    ("settings", "bands-default-on-track", s_add("status_bands: {at_risk: 0.9}\n"), CHECK,
     ("outcomes.yaml", "status_bands.at_risk", "below on_track (0.7)", "got 0.9")),
    ("settings", "bands-above-one", s_add("status_bands: {on_track: 1.5}\n"), CHECK,
     ("outcomes.yaml", "status_bands.on_track", "at most 1", "got 1.5")),
    ("settings", "bands-zero", s_add("status_bands: {at_risk: 0}\n"), CHECK,
     ("outcomes.yaml", "status_bands.at_risk", "got 0")),
    ("settings", "portfolios-empty", s(NO_PORTFOLIO, "  []\n"), CHECK,
     ("outcomes.yaml", "portfolios", "at least 1 item", "got []")),
    ("settings", "portfolio-duplicate", s_add("portfolios:\n"), CHECK,
     ("outcomes.yaml", "portfolios", "written twice")),
    ("settings", "portfolio-duplicate-id", s(NO_PORTFOLIO, TWO_PORTFOLIOS), CHECK,
     ("outcomes.yaml", "portfolios[1].id", "duplicate portfolio id 'retail'", "portfolios[0].id")),
    ("settings", "portfolio-no-jql", s(', epics_jql: "issuetype = Epic"', ""), CHECK,
     ("outcomes.yaml", "portfolios[0].epics_jql", "missing required key")),
    ("settings", "portfolio-jql-list", s('epics_jql: "issuetype = Epic"', "epics_jql: [a]"),
     CHECK, ("outcomes.yaml", "portfolios[0].epics_jql", "['a']")),
    ("settings", "labels-pattern-and-prefix",
     s_add('claims: {labels: {pattern: "okr:<id>", prefix: "okr:"}}\n'), CHECK,
     ("outcomes.yaml", "claims.labels", "either pattern or prefix", "'okr:<id>'", "'okr:'")),
    ("settings", "labels-pattern-no-id", s_add('claims: {labels: {pattern: "okr:"}}\n'), CHECK,
     ("outcomes.yaml", "claims.labels.pattern", "'okr:'", "<id>")),
    ("settings", "labels-pattern-space", s_add('claims: {labels: {pattern: "okr: <id>"}}\n'),
     CHECK, ("outcomes.yaml", "claims.labels.pattern", "'okr: <id>'", "spaces")),
    ("settings", "labels-prefix-empty", s_add('claims: {labels: {prefix: ""}}\n'), CHECK,
     ("outcomes.yaml", "claims.labels.prefix", "must not be empty", "''")),
    ("settings", "claims-field-empty", s_add('claims: {field: {name: ""}}\n'), CHECK,
     ("outcomes.yaml", "claims.field.name", "''")),
    ("settings", "claims-parent-text", s_add("claims: {parent: sometimes}\n"), CHECK,
     ("outcomes.yaml", "claims.parent", "true or false", "'sometimes'")),
    ("settings", "claims-typo", s_add("claims: {lables: {}}\n"), CHECK,
     ("outcomes.yaml", "claims", "'lables'", "did you mean 'labels'")),
    ("settings", "exempt-labels-text", s_add("exempt_labels: 7\n"), CHECK,
     ("outcomes.yaml", "exempt_labels", "expected a list", "got 7")),
    ("settings", "approval-required-for", s_add("approval: {required_for: [epics]}\n"), CHECK,
     ("outcomes.yaml", "approval.required_for[0]", "'epics'", "team_objectives, epic_claims")),
    ("settings", "finding-unknown-code", s_add("findings: {STALE: {days: 3}}\n"), CHECK,
     ("outcomes.yaml", "findings", "'STALE'", "did you mean 'STALE_KR'")),
    ("settings", "finding-unknown-knob", s_add("findings: {STALE_KR: {day: 3}}\n"), CHECK,
     ("outcomes.yaml", "findings.STALE_KR", "'day'", "did you mean 'days'")),
    ("settings", "finding-days-zero", s_add("findings: {STALE_KR: {days: 0}}\n"), CHECK,
     ("outcomes.yaml", "findings.STALE_KR.days", "at least 1", "got 0")),
    ("settings", "finding-severity", s_add("findings: {OFF_PACE: {severity: fatal}}\n"), CHECK,
     ("outcomes.yaml", "findings.OFF_PACE.severity", "'fatal'", "info, warning, error")),
    ("settings", "finding-enabled-text", s_add("findings: {OFF_PACE: {enabled: perhaps}}\n"),
     CHECK, ("outcomes.yaml", "findings.OFF_PACE.enabled", "'perhaps'")),
    ("settings", "finding-share-above-one",
     s_add("findings: {EXEMPT_OVER_BUDGET: {max_share: 2}}\n"), CHECK,
     ("outcomes.yaml", "findings.EXEMPT_OVER_BUDGET.max_share", "at most 1", "got 2")),
    ("settings", "finding-team-share-negative",
     s_add("findings: {EXEMPT_OVER_BUDGET: {teams: {payments: -1}}}\n"), CHECK,
     ("outcomes.yaml", "findings.EXEMPT_OVER_BUDGET.teams.payments", "at least 0", "got -1")),
    ("settings", "output-done-share",
     s_add("findings: {OUTPUT_WITHOUT_OUTCOME: {done_share: lots}}\n"), CHECK,
     ("outcomes.yaml", "findings.OUTPUT_WITHOUT_OUTCOME.done_share", "'lots'")),
    ("settings", "teams-source", s_add("teams: {source: squad}\n"), CHECK,
     ("outcomes.yaml", "teams.source", "'squad'", "project, component, field, label")),
    ("settings", "teams-label-prefix-empty", s_add("teams: {label_prefix: ''}\n"), CHECK,
     ("outcomes.yaml", "teams.label_prefix", "must not be empty")),
    ("settings", "sync-lookback-negative", s_add("sync: {lookback_minutes: -5}\n"), CHECK,
     ("outcomes.yaml", "sync.lookback_minutes", "at least 0", "got -5")),
    ("settings", "catalogue-files-empty", s("[okrs.yaml]", "[]"), CHECK,
     ("outcomes.yaml", "catalogue.files", "at least 1 item")),
    ("settings", "catalogue-jira-jql-empty",
     s("catalogue: {files: [okrs.yaml]}", "catalogue: {files: [okrs.yaml], jira: {jql: ''}}"),
     CHECK, ("outcomes.yaml", "catalogue.jira.jql", "must not be empty")),
    ("settings", "confluence-api", s_add(WIKI + ", api: v3}\n"), CHECK,
     ("outcomes.yaml", "confluence.api", "'v3'", "auto, v1, v2")),
    ("settings", "confluence-foreign-edit", s_add(WIKI + ", on_foreign_edit: merge}\n"), CHECK,
     ("outcomes.yaml", "confluence.on_foreign_edit", "'merge'", "skip, overwrite, child")),
    ("settings", "confluence-rows-zero", s_add(WIKI + ", max_table_rows: 0}\n"), CHECK,
     ("outcomes.yaml", "confluence.max_table_rows", "at least 1", "got 0")),
    ("settings", "confluence-no-space",
     s_add("confluence: {url: 'https://w.example.com', auth: {token: x}}\n"), CHECK,
     ("outcomes.yaml", "confluence.space", "missing required key")),
    ("settings", "excel-placeholder", s_add("excel: {path: 'out-{team}.xlsx'}\n"), CHECK,
     ("outcomes.yaml", "excel.path", "'out-{team}.xlsx'", "{portfolio}, {cycle} and {date}")),
    ("settings", "excel-attach-text", s_add("excel: {attach: often}\n"), CHECK,
     ("outcomes.yaml", "excel.attach", "'often'")),
    ("settings", "health-port", s_add("health: {port: 70000}\n"), CHECK,
     ("outcomes.yaml", "health.port", "at most 65535", "got 70000")),
    ("settings", "health-failures", s_add("health: {alert_after_failures: 0}\n"), CHECK,
     ("outcomes.yaml", "health.alert_after_failures", "got 0")),
    ("settings", "logging-format", s_add("logging: {format: xml}\n"), CHECK,
     ("outcomes.yaml", "logging.format", "'xml'", "text, json")),
    ("settings", "logging-level", s_add("logging: {level: loud}\n"), CHECK,
     ("outcomes.yaml", "logging.level", "'loud'", "debug, info, warning, error")),
]

NEVER = ["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4 *", "0 0 31 6 *", "0 0 31 9 *", "0 0 31 11 *"]
JOBS = ["sync", "check", "publish", "export", "sync", "check"]

SCHEDULE: list[Case] = [
    *[
        ("schedule", f"cron-never-{i}", s_add(f"schedule: {{{job}: '{cron}'}}\n"), CHECK,
         ("outcomes.yaml", f"schedule.{job}", "never fires", f"'{cron}'"))
        for i, (job, cron) in enumerate(zip(JOBS, NEVER, strict=True))
    ],
    ("schedule", "cron-four-fields", s_add("schedule: {sync: '*/15 * * *'}\n"), CHECK,
     ("outcomes.yaml", "schedule.sync", "5 fields", "'*/15 * * *'")),
    ("schedule", "cron-six-fields", s_add("schedule: {sync: '0 */15 * * * *'}\n"), CHECK,
     ("outcomes.yaml", "schedule.sync", "5 fields", "'0 */15 * * * *'")),
    ("schedule", "cron-bad-minute", s_add("schedule: {check: '61 * * * *'}\n"), CHECK,
     ("outcomes.yaml", "schedule.check", "not a valid cron", "'61 * * * *'")),
    ("schedule", "cron-bad-weekday", s_add("schedule: {publish: '0 7 * * FUNDAY'}\n"), CHECK,
     ("outcomes.yaml", "schedule.publish", "'0 7 * * FUNDAY'")),
    ("schedule", "cron-number", s_add("schedule: {export: 5}\n"), CHECK,
     ("outcomes.yaml", "schedule.export", "expected text", "got 5")),
    ("schedule", "timezone", s_add("schedule: {timezone: Mars/Olympus}\n"), CHECK,
     ("outcomes.yaml", "schedule.timezone", "'Mars/Olympus'", "IANA")),
    ("schedule", "misfire-zero", s_add("schedule: {misfire_grace_seconds: 0}\n"), CHECK,
     ("outcomes.yaml", "schedule.misfire_grace_seconds", "got 0")),
    ("schedule", "grace-negative", s_add("schedule: {shutdown_grace_seconds: -1}\n"), CHECK,
     ("outcomes.yaml", "schedule.shutdown_grace_seconds", "got -1")),
    ("schedule", "unknown-job", s_add("schedule: {publsh: '0 7 * * *'}\n"), CHECK,
     ("outcomes.yaml", "schedule", "'publsh'", "did you mean 'publish'")),
]

STORE: list[Case] = [
    ("store", "scheme-mysql", s_add("store: {url: 'mysql://u:topsecretpw@db/x'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "unsupported database 'mysql'", "mysql://u:***@db/x")),
    ("store", "not-a-url", s_add("store: {url: 'outcomes.db'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "'outcomes.db'", "sqlite:///outcomes.db")),
    ("store", "no-such-driver",
     s_add("store: {url: 'postgresql+nosuch://u:topsecretpw@db/x'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "no driver 'nosuch'", "postgresql+nosuch://u:***@db/x")),
    ("store", "driver-not-installed",
     s_add("store: {url: 'postgresql+pg8000://u:topsecretpw@db/x'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "not installed", "postgresql+pg8000://u:***@db/x",
      "outcomes[postgres]")),
    ("store", "garbled-with-password", s_add("store: {url: 'post gres://u:topsecretpw@db'}\n"),
     CHECK, ("outcomes.yaml", "store.url", "u:***@db")),
    ("store", "url-number", s_add("store: {url: 5}\n"), CHECK,
     ("outcomes.yaml", "store.url", "expected text", "got 5")),
    ("store", "bare-password-variable",
     s_add("store: {url: 'postgresql+psycopg://u:$PW@db/x'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "$PW", "${PW}")),
]

SYNC = ("sync", "--config", "outcomes.yaml")

ENV: list[Case] = [
    ("env", "token-without-braces", s('"${JIRA_TOKEN}"', "$JIRA_TOKEN"), CHECK,
     ("outcomes.yaml", "jira.auth.token", "$JIRA_TOKEN", "write ${JIRA_TOKEN}")),
    ("env", "email-without-braces", s("a@example.com", "$JIRA_EMAIL"), CHECK,
     ("outcomes.yaml", "jira.auth.email", "$JIRA_EMAIL", "${JIRA_EMAIL}")),
    ("env", "url-without-braces", url("$JIRA_URL"), CHECK,
     ("outcomes.yaml", "jira.url", "$JIRA_URL", "${JIRA_URL}")),
    ("env", "url-variable-missing", url('"${JIRA_URL}"'), CHECK,
     ("outcomes.yaml", "jira.url", "JIRA_URL is not set")),
    ("env", "url-variable-empty", url('"${EMPTY_VAR}"'), CHECK,
     ("outcomes.yaml", "jira.url", "EMPTY_VAR is empty")),
    ("env", "store-password-missing",
     s_add("store: {url: 'postgresql+psycopg://u:${DB_PASSWORD}@db/x'}\n"), CHECK,
     ("outcomes.yaml", "store.url", "DB_PASSWORD is not set")),
    ("env", "jql-variable-missing", s('"issuetype = Epic"', '"project = ${PROJECT}"'), CHECK,
     ("outcomes.yaml", "portfolios[0].epics_jql", "PROJECT is not set")),
    ("env", "sync-token-missing", s('"${JIRA_TOKEN}"', '"${NO_SUCH_TOKEN}"'), SYNC,
     ("outcomes.yaml", "jira.auth.token", "NO_SUCH_TOKEN is not set")),
    ("env", "sync-token-empty", s('"${JIRA_TOKEN}"', '"${EMPTY_VAR}"'), SYNC,
     ("outcomes.yaml", "jira.auth.token", "EMPTY_VAR is empty")),
    ("env", "run-email-missing", s("a@example.com", '"${NO_SUCH_EMAIL}"'),
     ("run", "--config", "outcomes.yaml"),
     ("outcomes.yaml", "jira.auth.email", "NO_SUCH_EMAIL is not set")),
    ("env", "confluence-token-without-braces",
     s_add("confluence: {url: 'https://w.example.com', space: P, auth: {token: $WIKI_TOKEN}}\n"),
     CHECK, ("outcomes.yaml", "confluence.auth.token", "$WIKI_TOKEN", "${WIKI_TOKEN}")),
]

Q3 = "  - {id: 2026-Q3, start: 2026-07-01, end: 2026-09-30}\n"
Q4 = "  - {id: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
TEAMS = "teams:\n  - {id: payments, name: Payments, projects: [PAY]}\n" \
        "  - {id: mobile, name: Mobile, projects: [MOB]}\n"
KR1 = "{id: P1.KR1, title: Success rate, start: 97, target: 99, current: 98}"
APPROVAL = "approvals:\n  - {{subject: {}, state: {}, by: A, at: 2026-10-02{}}}\nobjectives:"


def cat(old: str, new: str, *fragments: str) -> tuple[Files, tuple[str, ...]]:
    return c(old, new), ("okrs.yaml", *fragments)


CATALOGUE_EDITS = {
    "version-2": cat("version: 1", "version: 2", "version", "unsupported catalogue version 2"),
    "version-text": cat("version: 1", "version: v1", "version", "'v1'"),
    "no-cycles": cat(f"cycles:\n{Q3}{Q4}", "cycles: []\n", "cycles", "at least one cycle"),
    "cycle-end-before-start": cat("end: 2026-09-30", "end: 2026-06-30", "cycles[0].end",
                                  "2026-06-30"),
    "cycle-duplicate": cat("{id: 2026-Q4, start", "{id: 2026-Q3, start", "cycles[1].id",
                           "duplicate cycle id '2026-Q3'"),
    "cycle-start-text": cat("start: 2026-07-01", "start: July", "cycles[0].start", "'July'"),
    "cycle-start-number": cat("start: 2026-07-01", "start: 20260701", "cycles[0].start",
                              "20260701"),
    "cycle-bad-date": cat("end: 2026-09-30", "end: 2026-09-31", "cycles[0].end",
                          "'2026-09-31'", "not a real date"),
    "team-duplicate": cat("{id: mobile, name: Mobile", "{id: payments, name: Mobile",
                          "teams[1].id", "duplicate team id 'payments'"),
    "team-project-twice": cat("projects: [MOB]", "projects: [MOB, PAY]",
                              "teams[1].projects[1]", "'PAY'", "'payments'"),
    "team-project-case": cat("projects: [MOB]", "projects: [pay]",
                             "teams[1].projects[0]", "'pay'", "already belongs"),
    "team-no-name": cat("{id: mobile, name: Mobile, ", "{id: mobile, ",
                        "teams[1].name", "missing required key"),
    "team-projects-text": cat("projects: [MOB]", "projects: 5", "teams[1].projects", "5"),
    "objective-unknown-cycle": cat("    cycle: 2026-Q4\n    title: Payments",
                                   "    cycle: 2026-Q1\n    title: Payments",
                                   "objectives[0].cycle", "'2026-Q1'"),
    "objective-unknown-team": cat("team: payments", "team: payment",
                                  "objectives[1].team", "'payment'", "did you mean"),
    "objective-level-team-no-team": cat("    title: Payments\n",
                                        "    title: Payments\n    level: team\n",
                                        "objectives[0].level", "no team"),
    "objective-level-bad": cat("    title: Payments\n", "    title: Payments\n    level: x\n",
                               "objectives[0].level", "'x'"),
    "objective-id-space": cat("  - id: P1\n", "  - id: P 1\n", "objectives[0].id",
                              "'P 1'", "no spaces"),
    "objective-id-duplicate": cat("  - id: PAY-O1\n", "  - id: p1\n", "objectives[1].id",
                                  "duplicate id 'p1'"),
    "objective-no-title": cat("    title: Payments\n", "", "objectives[0].title",
                              "missing required key"),
    "objective-unknown-key": cat("    title: Payments\n", "    title: Payments\n    ownr: A\n",
                                 "objectives[0]", "'ownr'", "did you mean 'owner'"),
    "objective-retired-text": cat("    title: Payments\n",
                                  "    title: Payments\n    retired: maybe\n",
                                  "objectives[0].retired", "'maybe'"),
    "objective-jira-key": cat("    title: Payments\n", "    title: Payments\n    jira: OKR\n",
                              "objectives[0].jira", "'OKR'"),
    "kr-target-text": cat("target: 99", "target: ten",
                          "objectives[0].key_results[0].target", "'ten'"),
    "kr-target-equals-start": cat("target: 99", "target: 97",
                                  "objectives[0].key_results[0].target", "(97)"),
    "kr-target-missing": cat("start: 97, target: 99, ", "start: 97, ",
                             "objectives[0].key_results[0].target", "missing required key"),
    "kr-direction": cat("current: 98}", "current: 98, direction: decrease}",
                        "objectives[0].key_results[0].direction", "decrease"),
    "kr-kind": cat("title: Success rate,", "title: Success rate, kind: percent,",
                   "objectives[0].key_results[0].kind", "'percent'"),
    "kr-boolean-with-start": cat("title: Success rate,", "title: Success rate, kind: boolean,",
                                 "objectives[0].key_results[0].start", "boolean"),
    "kr-milestone-empty": cat(KR1, "{id: P1.KR1, title: S, kind: milestone, milestones: []}",
                              "objectives[0].key_results[0].milestones", "got []"),
    "kr-weight-zero": cat("current: 98}", "current: 98, weight: 0}",
                          "objectives[0].key_results[0].weight", "got 0"),
    "kr-confidence-two": cat("current: 98}", "current: 98, confidence: 2}",
                             "objectives[0].key_results[0].confidence", "got 2"),
    "kr-current-bool": cat("current: 98}", "current: yes}",
                           "objectives[0].key_results[0].current", "true"),
    "kr-unknown-key": cat("current: 98}", "current: 98, tagret: 3}",
                          "objectives[0].key_results[0]", "'tagret'"),
    "kr-measure-both": cat("current: 98}", "current: 98, measure: {jql: x, field: F,"
                           " issue: OKR-1}}", "objectives[0].key_results[0].measure", "not both"),
    "kr-measure-field-no-issue": cat("current: 98}", "current: 98, measure: {field: F}}",
                                     "objectives[0].key_results[0].measure.issue", "'F'"),
    "kr-current-on": cat("current: 98}", "current: 98, current_on: yesterday}",
                         "objectives[0].key_results[0].current_on", "'yesterday'"),
    "kr-checkin-value": cat("current: 98}", "current: 98, checkins: [{on: 2026-10-02,"
                            " value: lots}]}",
                            "objectives[0].key_results[0].checkins[0].value", "'lots'"),
    "supports-unknown": cat("supports: [P1.KR1]", "supports: [P1.KR9]",
                            "objectives[1].supports[0]", "'P1.KR9'"),
    "supports-by-portfolio": cat("    title: Payments\n",
                                 "    title: Payments\n    supports: [P1.KR1]\n",
                                 "objectives[0].supports", "P1"),
    "approval-state": cat("supports: [P1.KR1]\n",
                          "supports: [P1.KR1]\n    approval: {state: maybe}\n",
                          "objectives[1].approval.state", "'maybe'"),
    "approvals-subject": cat("objectives:", APPROVAL.format("'not a key'", "approved", ""),
                             "approvals[0].subject", "'not a key'"),
    "approvals-okr-unknown": cat("objectives:", APPROVAL.format("PAY-1", "approved", ", okr: P9"),
                                 "approvals[0].okr", "'P9'"),
    "approvals-state": cat("objectives:", APPROVAL.format("PAY-1", "fine", ""),
                           "approvals[0].state", "'fine'"),
    "unknown-top-key": cat("objectives:", "objectivs: []\nobjectives:", "'objectivs'"),
    "teams-not-list": cat(TEAMS, "teams: payments\n", "teams", "'payments'"),
}

CATALOGUE_CASES: list[Case] = [
    ("catalogue", name, files, CHECK, fragments)
    for name, (files, fragments) in CATALOGUE_EDITS.items()
]

CROSS: list[Case] = [
    ("cross", "exempt-team-unknown",
     s_add("findings: {EXEMPT_OVER_BUDGET: {teams: {platform: 0.5}}}\n"), CHECK,
     ("outcomes.yaml", "findings.EXEMPT_OVER_BUDGET.teams.platform", "'platform'",
      "payments, mobile")),
    ("cross", "exempt-team-misspelt",
     s_add("findings: {EXEMPT_OVER_BUDGET: {teams: {payment: 0.5}}}\n"), CHECK,
     ("outcomes.yaml", "findings.EXEMPT_OVER_BUDGET.teams.payment", "did you mean 'payments'")),
    ("cross", "exempt-team-case",
     s_add("findings: {EXEMPT_OVER_BUDGET: {teams: {Mobile: 0.5}}}\n"), CHECK,
     ("outcomes.yaml", "findings.EXEMPT_OVER_BUDGET.teams.Mobile", "'Mobile'")),
]

SPAN = "2026-07-01 to 2026-12-31"
GAP = {"okrs.yaml": CATALOGUE.replace("start: 2026-10-01", "start: 2026-10-15")}
CONFIG = ("--config", "outcomes.yaml")

ARGUMENTS: list[Case] = [
    ("arguments", "as-of-before", {}, (*CHECK, "--as-of", "2026-01-15"),
     ("--as-of", "2026-01-15", SPAN)),
    ("arguments", "as-of-after", {}, (*CHECK, "--as-of", "2027-02-01"),
     ("--as-of", "2027-02-01", SPAN)),
    ("arguments", "as-of-in-gap", GAP, (*CHECK, "--as-of", "2026-10-05"),
     ("--as-of", "2026-10-05", SPAN)),
    ("arguments", "as-of-export", {}, ("export", *CONFIG, "--as-of", "2025-12-31"),
     ("--as-of", "2025-12-31", SPAN)),
    ("arguments", "as-of-publish", s_add(WIKI + "}\n"),
     ("publish", *CONFIG, "--as-of", "2030-01-01"), ("--as-of", "2030-01-01", SPAN)),
    ("arguments", "as-of-run", {}, ("run", *CONFIG, "--as-of", "2024-06-30"),
     ("--as-of", "2024-06-30", SPAN)),
    ("arguments", "as-of-format", {}, (*CHECK, "--as-of", "15.11.2026"),
     ("outcomes check", "'--as-of'", "'15.11.2026'", "see outcomes check --help")),
    ("arguments", "as-of-month-13", {}, (*CHECK, "--as-of", "2026-13-01"),
     ("outcomes check", "'--as-of'", "'2026-13-01'")),
    ("arguments", "fail-on", {}, (*CHECK, "--fail-on", "fatal"),
     ("outcomes check", "'--fail-on'", "'fatal'", "'info', 'warning', 'error'")),
    ("arguments", "unknown-option", {}, (*CHECK, "--jsn"),
     ("outcomes check", "no such option --jsn", "did you mean --json", "--help")),
    ("arguments", "unknown-option-sync", {}, ("sync", *CONFIG, "--ful"),
     ("outcomes sync", "no such option --ful", "did you mean --full")),
    ("arguments", "unknown-command", {}, ("chek",),
     ("outcomes", "no such command 'chek'", "did you mean check")),
    ("arguments", "unknown-global-option", {}, ("--verbose", "check"),
     ("outcomes", "no such option --verbose", "see outcomes --help")),
    ("arguments", "missing-config", {"outcomes.yaml": None}, ("check",),
     ("outcomes check", "no settings file", "--config FILE", "OUTCOMES_CONFIG", "outcomes.yaml")),
    ("arguments", "config-folder", {}, ("check", "--config", "."),
     ("outcomes check", "'--config'", "'.'", "is a directory")),
    ("arguments", "config-missing", {}, ("check", "--config", "nothing.yaml"),
     ("nothing.yaml", "file not found", "OUTCOMES_CONFIG")),
    ("arguments", "approve-no-by", {}, ("approve", *CONFIG, "PAY-1"),
     ("outcomes approve", "missing option '--by'")),
    ("arguments", "approve-no-subject", {}, ("approve", *CONFIG),
     ("outcomes approve", "missing argument 'EPIC-OR-OBJECTIVE'")),
    ("arguments", "approve-future", {},
     ("approve", *CONFIG, "PAY-1", "--by", "Priya", "--on", "2999-01-01"),
     ("--on", "2999-01-01", "in the future")),
    ("arguments", "approve-on-format", {},
     ("approve", *CONFIG, "PAY-1", "--by", "Priya", "--on", "tomorrow"),
     ("outcomes approve", "'--on'", "'tomorrow'")),
    ("arguments", "reject-no-why", {}, ("reject", *CONFIG, "PAY-1", "--by", "Priya"),
     ("outcomes reject", "missing option '--why'")),
    ("arguments", "checkin-value-text", {}, ("checkin", *CONFIG, "P1.KR1", "--value", "lots"),
     ("outcomes checkin", "'--value'", "'lots'")),
    ("arguments", "checkin-no-value", {}, ("checkin", *CONFIG, "P1.KR1"),
     ("outcomes checkin", "missing option '--value'")),
    ("arguments", "status-limit-zero", {}, ("status", *CONFIG, "--limit", "0"),
     ("outcomes status", "'--limit'", "0")),
    ("arguments", "serve-log-format", {}, ("serve", *CONFIG, "--log-format", "xml"),
     ("outcomes serve", "'--log-format'", "'xml'")),
    ("arguments", "sandbox-no-data", {}, ("sandbox",), ("outcomes sandbox", "--data FILE")),
    ("arguments", "export-xlsx-folder", {}, ("export", *CONFIG, "--xlsx", "."),
     ("outcomes export", "'--xlsx'", "'.'")),
    ("arguments", "decisions-extra", {}, ("decisions", *CONFIG, "A", "B"),
     ("outcomes decisions", "unexpected extra argument", "B")),
]
# fmt: on

CASES: list[Case] = [
    *ENCODING,
    *YAML,
    *SETTINGS_CASES,
    *SCHEDULE,
    *STORE,
    *ENV,
    *CATALOGUE_CASES,
    *CROSS,
    *ARGUMENTS,
]
