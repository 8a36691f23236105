"""The bad-input corpus: one entry per case. Add a case here, then run
`REDFLAG_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_corpus.py -k <id>` and review
tests/corpus/expected/<id>.txt: it holds the exact lines `redflag-coord validate` must print.

Paths are relative to collectives/ of the small organisation in base/ (see build.py).
"""

from __future__ import annotations

from build import DIR, FIFO, Add, Big, Case, Link, Sub

M = "la/members.toml"
C = "la/collective.toml"
IC = "ic/collective.toml"
MEET = "ic/meetings/ic-1.toml"
REP = "la/reports/ic-1.toml"
REL = "la/relationships.toml"

MEMBERS_OK = '[[member]]\nhandle = "rosa"\n'


def members(body: str) -> str:
    return "[[member]]\n" + body


CASES: list[Case] = [
    # -- TOML syntax ---------------------------------------------------------------------------
    Case("syntax-unclosed-string", {M: members('handle = "rosa\nlanguages = ["es"]\n')}),
    Case("syntax-unclosed-literal-string", {M: members("handle = 'rosa\n")}),
    Case("syntax-unclosed-multiline-string", {REP: Sub('summary = "Distributions', 'summary = """Distributions')}),
    Case("syntax-unclosed-multiline-literal", {REP: Sub('summary = "Distributions', "summary = '''Distributions")}),
    Case("syntax-unclosed-array", {M: Sub('languages = ["es", "en"]', 'languages = ["es", "en"')}),
    Case(
        "syntax-unclosed-array-multiline",
        {MEET: Sub('participants = ["ic", "la"]', 'participants = [\n  "ic",\n  "la",\n')},
    ),
    Case("syntax-unclosed-inline-table", {REP: Add("[relationships]\nby_stage = { contact = 1, reader = 2\n")}),
    Case("syntax-inline-table-newline", {REP: Add("[relationships]\nby_stage = { contact = 1,\n  reader = 2 }\n")}),
    Case("syntax-inline-table-trailing-comma", {REP: Add("[relationships]\nby_stage = { contact = 1, }\n")}),
    Case("syntax-unclosed-table-header", {REP: Add("[red_flag\nreaders = 5\n")}),
    Case(
        "syntax-unclosed-array-of-tables-header", {M: Sub('[[member]]\nhandle = "beto"', '[[member]\nhandle = "beto"')}
    ),
    Case("syntax-bad-escape", {REP: Sub("steady;", "steady \\q")}),
    Case("syntax-bad-unicode-escape", {REP: Sub("steady;", "steady \\uZZZZ")}),
    Case("syntax-surrogate-escape", {REP: Sub("steady;", "steady \\uD800")}),
    Case("syntax-unicode-escape-too-big", {REP: Sub("steady;", "steady \\U00110000")}),
    Case("syntax-date-feb-30", {REP: Sub("filed = 2026-11-23", "filed = 2026-02-30")}),
    Case("syntax-date-month-13", {REP: Sub("filed = 2026-11-23", "filed = 2026-13-01")}),
    Case("syntax-date-feb-29-non-leap", {REP: Sub("filed = 2026-11-23", "filed = 2027-02-29")}),
    Case("syntax-time-hour-25", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 2026-12-12T25:00:00")}),
    Case("syntax-time-minute-60", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 2026-12-12T16:60:00")}),
    Case("syntax-date-slashes", {REP: Sub("filed = 2026-11-23", "filed = 2026/11/23")}),
    Case("syntax-date-short-year", {REP: Sub("filed = 2026-11-23", "filed = 26-11-23")}),
    Case("syntax-number-leading-zero", {MEET: Sub("duration_minutes = 120", "duration_minutes = 0120")}),
    Case("syntax-number-double-underscore", {MEET: Sub("duration_minutes = 120", "duration_minutes = 1__20")}),
    Case("syntax-number-trailing-underscore", {MEET: Sub("duration_minutes = 120", "duration_minutes = 120_")}),
    Case("syntax-number-trailing-dot", {MEET: Sub("duration_minutes = 120", "duration_minutes = 120.")}),
    Case("syntax-number-with-unit", {MEET: Sub("duration_minutes = 120", "duration_minutes = 120min")}),
    Case("syntax-number-comma-thousands", {REP: Add("[red_flag]\nreaders = 1,200\n")}),
    Case("syntax-duplicate-key", {M: members('handle = "rosa"\nhandle = "rosa2"\n')}),
    Case("syntax-duplicate-key-quoted", {M: members('handle = "rosa"\n"handle" = "rosa2"\n')}),
    Case(
        "syntax-duplicate-key-dotted",
        {REP: Sub("[[request]]", "red_flag.readers = 5\n[red_flag]\nreaders = 6\n[[request]]")},
    ),
    Case("syntax-duplicate-table", {REP: Add("[red_flag]\nreaders = 5\n[red_flag]\nreaders = 6\n")}),
    Case("syntax-table-after-array-of-tables", {M: Add('[member]\nhandle = "chayo"\n')}),
    Case("syntax-array-of-tables-after-array", {M: 'member = []\n[[member]]\nhandle = "rosa"\n'}),
    Case(
        "syntax-redefine-inline-table",
        {REP: Sub("[[request]]", "relationships = { new = 1 }\n[relationships]\nmoved_up = 2\n[[request]]")},
    ),
    Case("syntax-key-with-space", {M: members('hand le = "rosa"\n')}),
    Case("syntax-key-non-ascii", {M: members('handlé = "rosa"\n')}),
    Case("syntax-key-without-value", {M: members("handle =\n")}),
    Case("syntax-missing-equals", {M: members('handle "rosa"\n')}),
    Case("syntax-bare-string-value", {M: members("handle = rosa\n")}),
    Case("syntax-capitalised-boolean", {M: Sub("invite = true", "invite = True")}),
    Case("syntax-missing-comma-in-array", {M: Sub('languages = ["es", "en"]', 'languages = ["es" "en"]')}),
    Case("syntax-control-character-in-string", {REP: Sub("steady;", "steady\x07;")}),
    Case("syntax-delete-character-in-string", {REP: Sub("steady;", "steady\x7f;")}),
    Case("syntax-escape-character-raw", {REP: Sub("steady;", "steady\x1b[2J;")}),
    Case("syntax-carriage-return-alone", {M: members('handle = "rosa"\rlanguages = ["es"]\n')}),
    Case("syntax-stray-text", {M: Add("this is not toml\n")}),
    Case("syntax-json-instead-of-toml", {C: '{"name": "Los Angeles", "timezone": "America/Los_Angeles"}\n'}),
    Case("syntax-yaml-instead-of-toml", {C: "name: Los Angeles\ntimezone: America/Los_Angeles\n"}),
    # -- encodings, empty and binary files ----------------------------------------------------
    Case("empty-file", {M: ""}),
    Case("whitespace-only-file", {M: "  \n\t\n\n"}),
    Case("comment-only-collective", {C: "# to be filled in\n"}),
    Case("byte-order-mark", {M: b"\xef\xbb\xbf" + MEMBERS_OK.encode()}),
    Case("utf-16-le-with-bom", {M: MEMBERS_OK.encode("utf-16")}),
    Case("utf-16-be-with-bom", {M: b"\xfe\xff" + MEMBERS_OK.encode("utf-16-be")}),
    Case("utf-16-without-bom", {M: MEMBERS_OK.encode("utf-16-le")}),
    Case("latin-1-text", {REP: 'filed = 2026-11-23\nsummary = "Compa\xf1eros"\n'.encode("latin-1")}),
    Case("invalid-utf-8-truncated-at-end", {M: MEMBERS_OK.encode() + b'role = "l\xc3'}),
    Case("invalid-utf-8-overlong", {M: MEMBERS_OK.encode() + b'role = "\xc0\xaf"\n'}),
    Case("nul-byte", {M: MEMBERS_OK.encode() + b'role = "a\x00b"\n'}),
    Case("binary-file", {REP: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"}),
    Case("file-over-size-limit", {REP: Big(2_000_000)}),
    Case("huge-string-value", {REP: Sub("Distributions are steady;", "x" * 30_000)}),
    Case("huge-key", {M: members('handle = "rosa"\n' + "k" * 5000 + " = 1\n")}),
    # -- nesting and numbers --------------------------------------------------------------------
    Case(
        "deep-nested-arrays-100000",
        {MEET: Sub('participants = ["ic", "la"]', "participants = " + "[" * 100_000 + "]" * 100_000)},
    ),
    Case("deep-nested-inline-tables", {REP: Add("extra = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n")}),
    Case(
        "nested-arrays-below-limit", {MEET: Sub('participants = ["ic", "la"]', "participants = " + "[" * 50 + "]" * 50)}
    ),
    Case("deep-dotted-table", {REP: Add("[" + ".".join(["t"] * 3000) + "]\n")}),
    Case(
        "integer-beyond-64-bit", {MEET: Sub("duration_minutes = 120", "duration_minutes = 99999999999999999999999999")}
    ),
    Case("integer-thousands-of-digits", {MEET: Sub("duration_minutes = 120", "duration_minutes = " + "9" * 5000)}),
    Case("negative-count", {REP: Add('[[red_flag.distribution]]\nsite = "gate"\ncopies = -5\n')}),
    Case("float-for-whole-number", {MEET: Sub("duration_minutes = 120", "duration_minutes = 120.0")}),
    Case("infinity-for-whole-number", {MEET: Sub("duration_minutes = 120", "duration_minutes = inf")}),
    Case("nan-for-whole-number", {MEET: Sub("duration_minutes = 120", "duration_minutes = nan")}),
    Case("zero-duration", {MEET: Sub("duration_minutes = 120", "duration_minutes = 0")}),
    Case("bool-for-number", {MEET: Sub("duration_minutes = 120", "duration_minutes = true")}),
    # -- wrong types and values -------------------------------------------------------------------
    Case("string-for-list", {C: Sub('languages = ["es", "en"]', 'languages = "es"')}),
    Case("quoted-datetime", {MEET: Sub("start = 2026-12-12T16:00:00", 'start = "2026-12-12T16:00:00"')}),
    Case("datetime-with-offset", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 2026-12-12T16:00:00+01:00")}),
    Case("datetime-utc-z", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 2026-12-12T15:00:00Z")}),
    Case("date-for-datetime", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 2026-12-12")}),
    Case("time-for-datetime", {MEET: Sub("start = 2026-12-12T16:00:00", "start = 16:00:00")}),
    Case("datetime-for-date", {REP: Sub("filed = 2026-11-23", "filed = 2026-11-23T10:00:00")}),
    Case("string-for-bool", {M: Sub("invite = true", 'invite = "yes"')}),
    Case("string-for-participants", {MEET: Sub('participants = ["ic", "la"]', 'participants = "ic, la"')}),
    Case("inline-table-for-array-of-tables", {M: 'member = { handle = "rosa" }\n'}),
    Case("empty-title", {MEET: Sub('title = "International Committee"', 'title = ""')}),
    Case("title-too-long", {MEET: Sub('title = "International Committee"', 'title = "' + "t" * 301 + '"')}),
    Case("unknown-key-did-you-mean", {M: Sub('email = "rosa@example.org"', 'emial = "rosa@example.org"')}),
    Case("unknown-key-no-suggestion", {M: Add('favourite_colour = "red"\n')}),
    Case("unknown-table", {MEET: Add("[agenda]\nitems = 3\n")}),
    Case("missing-required-keys", {C: 'name = "Los Angeles"\n'}),
    Case("bad-choice-kind", {IC: Sub('kind = "committee"', 'kind = "comittee"')}),
    Case("bad-choice-stage", {REL: Sub('stage = "reader"', 'stage = "friend"')}),
    Case(
        "bad-choice-recurrence-weekday",
        {
            "la/meetings/study.toml": 'title = "Study group"\nstart = 2026-12-01T18:00:00\ntimezone = "America/Los_Angeles"\nduration_minutes = 90\n[recurrence]\nfrequency = "weekly"\nweekdays = ["mon"]\n'
        },
    ),
    Case("handle-upper-case", {M: Sub('handle = "beto"', 'handle = "Beto"')}),
    Case("handle-with-at-sign", {M: Sub('handle = "beto"', 'handle = "@beto"')}),
    Case("bad-language-code", {C: Sub('languages = ["es", "en"]', 'languages = ["spanish"]')}),
    Case("empty-languages", {C: Sub('languages = ["es", "en"]', "languages = []")}),
    Case("bad-country-code", {C: Add('country = "USA"\n')}),
    Case("bad-url", {MEET: Sub("timezone = ", 'url = "ftp://example.org/meet"\ntimezone = ')}),
    Case("bad-availability-hours", {C: Add('[availability]\nweekdays = ["6pm-10pm"]\n')}),
    # -- zones and wall times ---------------------------------------------------------------------
    Case("zone-abbreviation", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "PST"')}),
    Case("zone-utc-offset", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "UTC-8"')}),
    Case("zone-numeric-offset", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "-08:00"')}),
    Case("zone-typo", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "America/Los_Angelos"')}),
    Case("zone-with-space", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "America/Los Angeles"')}),
    Case("zone-lower-case", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "america/los_angeles"')}),
    Case("zone-etc-fixed-offset", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "Etc/GMT+8"')}),
    Case("zone-empty", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = ""')}),
    Case("zone-path-traversal", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "../../../etc/passwd"')}),
    Case(
        "zone-huge-name",
        {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "America/' + "Los_Angeles" * 20000 + '"')},
    ),
    Case(
        "zone-long-typo",
        {
            C: Sub(
                'timezone = "America/Los_Angeles"',
                'timezone = "America/Los_Angeles_California_United_States_of_America_West"',
            )
        },
    ),
    Case("zone-absolute-path", {C: Sub('timezone = "America/Los_Angeles"', 'timezone = "/usr/share/zoneinfo/UTC"')}),
    Case(
        "dst-gap",
        {
            MEET: (
                Sub("start = 2026-12-12T16:00:00", "start = 2027-03-28T02:30:00"),
                Sub("reports_due = 2026-12-05", "reports_due = 2027-03-20"),
            )
        },
    ),
    Case(
        "dst-overlap",
        {
            "ic/meetings/ic-2.toml": 'title = "Autumn"\nstart = 2026-10-25T02:30:00\ntimezone = "Europe/Paris"\nduration_minutes = 60\n'
        },
        args=("--strict",),
    ),
    Case(
        "dst-gap-southern-hemisphere",
        {
            "ic/meetings/ic-2.toml": 'title = "Spring"\nstart = 2026-10-04T02:15:00\ntimezone = "Australia/Sydney"\nduration_minutes = 60\n'
        },
    ),
    # -- references and uniqueness ---------------------------------------------------------------
    Case("duplicate-handle-across-collectives", {"ic/members.toml": '[[member]]\nhandle = "rosa"\n'}),
    Case("duplicate-handle-in-file", {M: Sub('handle = "beto"', 'handle = "rosa"')}),
    Case(
        "duplicate-meeting-id",
        {
            "la/meetings/ic-1.toml": 'title = "Copy"\nstart = 2026-12-01T18:00:00\ntimezone = "America/Los_Angeles"\nduration_minutes = 60\n'
        },
    ),
    Case(
        "duplicate-participant",
        {MEET: Sub('participants = ["ic", "la"]', 'participants = ["ic", "la", "la"]')},
        args=("--strict",),
    ),
    Case("opens-not-participant", {MEET: Sub('participants = ["ic", "la"]', 'participants = ["ic"]')}),
    Case("opens-unknown-collective", {MEET: Sub('opens = "la"', 'opens = "lax"')}),
    Case("participant-unknown", {MEET: Sub('participants = ["ic", "la"]', 'participants = ["ic", "la", "mexico"]')}),
    Case("item-lead-unknown", {MEET: Sub('lead = "la"', 'lead = "el-salvador"')}),
    Case("report-for-unknown-meeting", {"la/reports/ic-2.toml": 'filed = 2026-11-23\nsummary = "A report."\n'}),
    Case("report-for-meeting-that-failed-to-load", {MEET: 'title = "broken\n'}),
    Case("report-filed-by-unknown-member", {REP: Sub('filed_by = "rosa"', 'filed_by = "ana"')}),
    Case(
        "report-from-non-participant",
        {
            "mx/collective.toml": 'name = "Mexico"\ntimezone = "America/Mexico_City"\nlanguages = ["es"]\n',
            "mx/reports/ic-1.toml": 'filed = 2026-11-23\nsummary = "Uninvited."\n',
        },
    ),
    Case("report-after-meeting", {REP: Sub("filed = 2026-11-23", "filed = 2026-12-13")}),
    Case("request-to-unknown-collective", {REP: Sub('to = "ic"', 'to = "honduras"')}),
    Case("request-to-self", {REP: Sub('to = "ic"', 'to = "la"')}, args=("--strict",)),
    Case(
        "requests-both-ways-are-fine",
        {
            "ic/reports/ic-1.toml": 'filed = 2026-11-24\nsummary = "Answer."\n[[request]]\nto = "la"\ntext = "Send the articles."\n'
        },
        exit_code=0,
    ),
    Case("relationship-comrade-unknown", {REL: Sub('comrade = "rosa"', 'comrade = "chayo"')}),
    Case("relationship-comrade-in-other-collective", {REL: Sub('comrade = "rosa"', 'comrade = "ana"')}),
    Case("relationship-nature-unknown", {REL: Sub('nature = "co-worker"', 'nature = "cousin"')}),
    Case(
        "relationship-duplicate-pseudonym",
        {
            REL: Add(
                '\n[[relationship]]\npseudonym = "Golondrina"\nnature = "friend"\nstage = "contact"\ncomrade = "beto"\nsince = 2026-11-01\n'
            )
        },
    ),
    Case("relationship-future-date", {REL: Sub("since = 2026-10-15", "since = 2027-01-01")}),
    Case("relationship-contact-before-since", {REL: Add("last_contact = 2026-01-01\n")}),
    Case(
        "relationship-stage-backwards",
        {
            REL: Add(
                '[[relationship.history]]\ndate = 2026-10-15\nstage = "writer"\n[[relationship.history]]\ndate = 2026-11-01\nstage = "reader"\n'
            )
        },
    ),
    Case(
        "relationship-history-out-of-order",
        {
            REL: Add(
                '[[relationship.history]]\ndate = 2026-11-01\nstage = "contact"\n[[relationship.history]]\ndate = 2026-10-15\nstage = "reader"\n'
            )
        },
    ),
    Case("reports-due-after-meeting", {MEET: Sub("reports_due = 2026-12-05", "reports_due = 2026-12-20")}),
    Case(
        "recurrence-until-before-start",
        {
            "la/meetings/study.toml": 'title = "Study group"\nstart = 2026-12-01T18:00:00\ntimezone = "America/Los_Angeles"\nduration_minutes = 90\n[recurrence]\nfrequency = "weekly"\nuntil = 2026-11-01\n'
        },
    ),
    Case(
        "recurrence-until-and-count",
        {
            "la/meetings/study.toml": 'title = "Study group"\nstart = 2026-12-01T18:00:00\ntimezone = "America/Los_Angeles"\nduration_minutes = 90\n[recurrence]\nfrequency = "weekly"\nuntil = 2027-02-01\ncount = 8\n'
        },
    ),
    Case("items-overrun", {MEET: Sub("duration_minutes = 60", "duration_minutes = 600")}, args=("--strict",)),
    # -- values that name files: path traversal -----------------------------------------------------
    Case(
        "traversal-participant", {MEET: Sub('participants = ["ic", "la"]', 'participants = ["ic", "la", "../../etc"]')}
    ),
    Case("traversal-opens", {MEET: Sub('opens = "la"', 'opens = "../la"')}),
    Case("traversal-item-lead", {MEET: Sub('lead = "la"', 'lead = "/etc/passwd"')}),
    Case("traversal-request-to", {REP: Sub('to = "ic"', 'to = "../../ic"')}),
    Case("traversal-windows-path", {REP: Sub('to = "ic"', 'to = "..\\\\..\\\\ic"')}),
    Case("meeting-file-name-dots", {"ic/meetings/ic-1..toml": 'title = "x"\n'}),
    Case("meeting-file-name-upper-case", {"ic/meetings/IC-1.toml": 'title = "x"\n'}),
    Case("collective-folder-case-collision", {"La/collective.toml": 'name = "LA"\n'}),
    Case("collective-folder-with-space", {"los angeles/collective.toml": 'name = "LA"\n'}),
    # -- the tree: symlinks, folders, files -----------------------------------------------------------
    Case("symlink-file-outside-repository", {M: Link("{outside}")}),
    Case("symlink-collective-outside-repository", {"evil": Link("/etc")}),
    Case("symlink-report-to-etc-passwd", {"la/reports/ic-9.toml": Link("/etc/passwd")}),
    Case("broken-symlink", {M: Link("does-not-exist.toml")}),
    Case("symlink-loop", {M: Link("members.toml")}),
    Case("folder-where-file-belongs", {M: DIR}),
    Case("fifo-where-file-belongs", {M: FIFO}),
    Case("fifo-as-meeting", {"ic/meetings/ic-5.toml": FIFO}),
    Case("file-where-folder-belongs", {"la/reports": "filed = 2026-11-23\n"}),
    Case("empty-collective-folder", {"mx": DIR}),
    Case("unknown-file-did-you-mean", {"la/member.toml": MEMBERS_OK}, args=("--strict",)),
    Case(
        "unknown-file-no-suggestion", {"la/scratch.toml": "x = 1\n"}, args=("--strict",)
    ),  # notes.toml: roles.toml is near
    Case("unknown-folder-did-you-mean", {"la/meeting/ic-3.toml": 'title = "x"\n'}, args=("--strict",)),
    Case("toml-file-in-collectives-folder", {"ic-1.toml": 'title = "x"\n'}, args=("--strict",)),
    Case("sub-folder-in-reports", {"la/reports/2026/ic-1.toml": "x = 1\n"}, args=("--strict",)),
    Case("missing-collective-toml", {C: None}),
    # -- injection: values that try to change the output or the terminal ----------------------------------
    Case(
        "inject-escape-in-title",
        {MEET: Sub('title = "International Committee"', 'title = "Meeting \\u001b[2J\\u001b]0;pwned\\u0007"')},
    ),
    Case(
        "inject-bidi-override-in-topic", {MEET: Sub('topic = "Whom do we know?"', 'topic = "Whom do we \\u202eknow?"')}
    ),
    Case(
        "inject-newline-in-title",
        {MEET: Sub('title = "International Committee"', 'title = "Meeting\\nic-2  Fake meeting"')},
    ),
    Case("inject-carriage-return-in-summary", {REP: Sub("steady;", "steady\\rOVERWRITTEN;")}),
    Case("inject-workflow-command-in-key", {M: Add('"x\\n::error file=evil::pwned" = 1\n')}),
    Case("inject-escape-in-unknown-key", {M: Add('"\\u001b[31mred" = 1\n')}),
    Case("inject-escape-in-file-name", {"ic/meetings/x\x1b[31m.toml": 'title = "x"\n'}),
    Case("inject-newline-in-file-name", {"ic/meetings/x\n::error::pwned.toml": 'title = "x"\n'}),
    Case("inject-escape-in-bad-choice", {IC: Sub('kind = "committee"', 'kind = "\\u001b[2Jcommittee"')}),
    # -- privacy: personal details in published text, private values in messages ---------------------------
    Case("private-email-in-summary", {REP: Sub("steady;", "steady; write to rosa@example.org;")}, args=("--strict",)),
    Case(
        "private-phone-in-item-topic",
        {MEET: Sub('topic = "Whom do we know?"', 'topic = "Whom do we know? Call +503 7012 3456"')},
        args=("--strict",),
    ),
    Case(
        "private-pseudonym-in-description",
        {MEET: Sub('description = "The meeting of all collectives."', 'description = "Golondrina will speak."')},
        args=("--strict",),
    ),
    Case(
        "private-pseudonym-in-request",
        {REP: Sub("Share the articles", "Golondrina asks for the articles")},
        args=("--strict",),
    ),
    Case(
        "private-value-not-echoed",
        {M: Sub('email = "rosa@example.org"', 'email = "' + "secret" * 60 + '@example.org"')},
    ),
    Case(
        "private-pseudonym-wrong-type-not-echoed", {REL: Sub('pseudonym = "Golondrina"', 'pseudonym = ["Golondrina"]')}
    ),
]
