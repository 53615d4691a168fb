# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Who may do what: the one table the access records, the record rules,
the button groups and the tests are checked against.

``tests/test_access.py`` (``AccessTableTestCase``) computes, as a user of
each staff group, what the database grants (``ir.model.access``,
``ir.model.field.access``, ``ir.rule``, button groups) and compares it with
this table both ways: every model of our modules is here, and the database
grants nothing the table does not.  ``docs/access.md`` is rendered from
this file (``python tests/access_table.py > docs/access.md``); the test
checks it is up to date.

Rights are the *effective* rights of a user in one group: ``r`` read,
``w`` write, ``c`` create, ``d`` delete.  Record rules narrow them further
(``RULES``); fields holding sensitive data are listed in ``SENSITIVE``
with the groups that may read them.
"""

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']
GROUP_NAMES = {
    'counselor': "相談員",
    'coordinator': "コーディネーター",
    'manager': "管理者",
    'sysadmin': "システム管理者",
    'auditor': "監査担当",
    }

# model: rights per group, in the order of GROUPS
MODELS = {
    'audit.log': ('', '', '', '', 'r'),
    'audit.log.anchor': ('', '', '', '', ''),
    'counseling.agency': ('rwc', 'rwc', 'r', '', ''),
    'counseling.booking': ('rwcd', 'rwc', 'r', '', ''),
    'counseling.closure': ('r', 'rwcd', 'r', 'rwcd', 'r'),
    'counseling.record': ('rwcd', 'r', '', '', ''),
    'counseling.record.amendment': ('rc', 'r', '', '', ''),
    'counseling.record.step': ('rwcd', 'r', '', '', ''),
    'counseling.referral': ('rwcd', 'r', 'r', '', ''),
    'counseling.referral.agency': ('r', 'r', 'r', '', ''),
    'counseling.slot': ('rwcd', 'rwcd', 'r', '', ''),
    'counseling.step': ('r', 'r', 'r', 'rwcd', 'r'),
    'faq.category': ('rwc', 'rwc', 'r', 'rwcd', 'r'),
    'faq.entry': ('rwc', 'rwc', 'r', 'rwcd', 'r'),
    'ir.action.act_window.domain-res.group': ('rwcd', 'rwcd', 'rwcd', 'rwcd',
        'rwcd'),
    'job.application.support': ('rwcd', 'rwcd', '', '', ''),
    'job.change': ('r', 'rwc', '', '', ''),
    'job.development.contact': ('r', 'rwcd', 'r', '', ''),
    'job.development.contact-job.subsidy': ('r', 'rwcd', 'r', '', ''),
    'job.employer.feedback': ('r', 'rwc', '', '', ''),
    'job.follow_up': ('rw', 'rwc', '', '', ''),
    'job.follow_up.milestone': ('r', 'r', 'r', 'rwcd', ''),
    'job.introduction': ('rc', 'rwcd', '', '', ''),
    'job.introduction.stage': ('r', 'r', '', '', ''),
    'job.matching.configuration': ('', 'rw', 'r', '', ''),
    'job.matching.gap': ('r', 'r', 'r', '', ''),
    'job.matching.gap.summary': ('r', 'r', 'r', '', ''),
    'job.order': ('r', 'rwcd', 'r', '', ''),
    'job.placement': ('r', 'rwcd', '', '', ''),
    'job.recommendation': ('r', 'r', '', '', ''),
    'job.register.figures': ('', 'r', 'r', '', ''),
    'job.register.order': ('', 'r', '', '', ''),
    'job.register.seeker': ('', 'r', '', '', ''),
    'job.retention.cohort': ('', 'r', 'r', '', ''),
    'job.subsidy': ('r', 'rwcd', 'r', '', ''),
    'line.configuration': ('', '', '', 'rwc', ''),
    'line.event': ('', '', '', 'r', ''),
    'line.inquiry': ('rwc', 'rwc', '', '', ''),
    'line.inquiry-line.inquiry.label': ('rwcd', 'rwcd', '', '', ''),
    'line.inquiry.canned_reply': ('r', 'rwcd', 'r', '', ''),
    'line.inquiry.label': ('r', 'rwcd', 'r', '', ''),
    'line.inquiry.message': ('rwc', 'rwc', '', '', ''),
    'line.inquiry.monthly': ('r', 'r', 'r', '', ''),
    'line.message': ('r', 'r', '', 'r', ''),
    'line.message.batch': ('r', 'r', 'r', 'r', ''),
    'line.message.recipient': ('r', 'r', '', 'r', ''),
    'line.rich_menu': ('r', 'r', 'r', 'rwcd', 'r'),
    'line.rich_menu.area': ('r', 'r', 'r', 'rwcd', 'r'),
    'line.rich_menu.link': ('', '', '', 'r', ''),
    'line.source': ('r', 'rwc', 'rwc', 'rwcd', 'r'),
    'line.source.visit': ('r', 'rwc', 'rwc', 'rwcd', 'r'),
    'line.user': ('rw', 'rw', 'r', 'r', ''),
    'line.user.history': ('rw', 'rw', 'r', 'r', ''),
    'party.address': ('rwcd', 'rwcd', 'r', 'rwc', 'r'),
    'party.consent': ('rc', 'r', 'r', '', ''),
    'party.consent.purpose': ('r', 'r', 'r', 'rwc', 'r'),
    'party.contact_mechanism': ('rwcd', 'rwcd', 'r', 'rwcd', 'r'),
    'party.party': ('rwc', 'rwc', 'r', 'rwc', 'r'),
    'party.party.child': ('rwcd', 'rwc', 'r', 'rwc', 'r'),
    'questionnaire': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.band': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.campaign': ('r', 'r', 'r', '', ''),
    'questionnaire.choice': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.question': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.response': ('r', 'r', 'r', '', ''),
    'questionnaire.response.answer': ('r', 'r', 'r', '', ''),
    'questionnaire.response.answer-choice': ('r', 'r', 'r', '', ''),
    'questionnaire.response.score': ('r', 'r', 'r', '', ''),
    'questionnaire.rule': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.rule.condition': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.rule.condition-choice': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.scale': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.scale.part': ('r', 'r', 'r', 'rwcd', 'r'),
    'questionnaire.tally.choice': ('r', 'r', 'r', '', ''),
    'questionnaire.tally.question': ('r', 'r', 'r', '', ''),
    'report.client.household': ('', '', 'r', '', ''),
    'report.job_order.employment': ('', '', 'r', '', ''),
    'sakai.approval': ('', '', '', 'rc', 'r'),
    'sakai.erasure.report': ('', '', '', 'r', 'r'),
    'seminar.seminar': ('rwcd', 'rwcd', 'r', '', ''),
    'seminar.session': ('rwcd', 'rwcd', 'r', '', ''),
    'support.programme': ('r', 'r', 'r', 'rwc', 'r'),
    'support.programme.crisis_contact': ('r', 'r', 'r', 'rwcd', 'r'),
    }

# Record rules (name: model, groups or "default"/"global", modes, domain)
RULES = [
    ('counseling.record', 'Every record for counselors',
        ['counselor'], 'rwcd',
        '[]'),
    ('counseling.record', 'Records without DV or health notes',
        ['default'], 'rwcd',
        '[["sensitive", "=", false]]'),
    ('counseling.record', 'Records changed by their counselor',
        ['global'], 'wcd',
        '[["counselor", "=", {"__class__": "Eval", "d": -1, '
        '"v": "user_id"}]]'),
    ('counseling.record.amendment',
        'Amendments of records without DV or health notes',
        ['default'], 'rwcd',
        '[["record.sensitive", "=", false]]'),
    ('counseling.record.amendment', 'Every amendment for counselors',
        ['counselor'], 'rwcd',
        '[]'),
    ('counseling.record.amendment', "Amendments by the record's counselor",
        ['global'], 'wcd',
        '[["record.counselor", "=", {"__class__": "Eval", "d": -1, '
        '"v": "user_id"}]]'),
    ('counseling.referral', 'Every referral for counselors',
        ['counselor'], 'rwcd',
        '[]'),
    ('counseling.referral', 'Referrals other than to DV agencies',
        ['default'], 'rwcd',
        '[["agency.kind", "!=", "dv"]]'),
    ('job.order', 'Only draft job orders can be deleted',
        ['global'], 'd',
        '[["state", "=", "draft"]]'),
    ('line.message', 'Every message for counselors',
        ['counselor'], 'rwcd',
        '[]'),
    ('line.message', "Every message's state for the channel's "
        "administrators",
        ['sysadmin'], 'rwcd',
        '[]'),
    ('line.message', 'Messages other than of health data',
        ['default'], 'rwcd',
        '[["sensitive", "=", false]]'),
    ('party.party', 'Clients for counselors',
        ['counselor'], 'wcd',
        '[]'),
    ('party.party', 'Clients for support staff',
        ['coordinator', 'counselor', 'manager'], 'r',
        '[]'),
    ('party.party', 'Employers changed by coordinators',
        ['global'], 'wcd',
        '{"__class__": "If", "c": {"__class__": "In", "k": "coordinat'
        'or", "v": {"__class__": "Eval", "d": [], "v": "groups"}}, "e'
        '": [["is_employer", "=", false]], "t": []}'),
    ('party.party', 'Parties other than clients',
        ['default'], 'r',
        '[["is_client", "=", false]]'),
    ('party.party', 'Parties other than clients',
        ['default'], 'wcd',
        '[["is_client", "=", false]]'),
    ('questionnaire.response', 'Answers other than health data',
        ['default'], 'rwcd',
        '[["questionnaire.sensitive", "=", false]]'),
    ('questionnaire.response', 'Every answer for counselors',
        ['counselor'], 'rwcd',
        '[]'),
    ('questionnaire.tally.choice', 'Every tally for counselors',
        ['counselor'], 'r',
        '[]'),
    ('questionnaire.tally.choice', 'Tallies other than of health data',
        ['default'], 'r',
        '[["question.questionnaire.sensitive", "=", false]]'),
    ('questionnaire.tally.question', 'Every tally for counselors',
        ['counselor'], 'r',
        '[]'),
    ('questionnaire.tally.question', 'Tallies other than of health data',
        ['default'], 'r',
        '[["question.questionnaire.sensitive", "=", false]]'),
    ]

# Buttons limited to groups: (model, button): groups
BUTTONS = {
    ('counseling.booking', 'cancel'): ('coordinator', 'counselor'),
    ('counseling.booking', 'confirm'): ('coordinator', 'counselor'),
    ('counseling.booking', 'no_show'): ('coordinator', 'counselor'),
    ('counseling.booking', 'undo_no_show'): ('coordinator', 'counselor'),
    ('counseling.booking', 'write_record'): ('coordinator', 'counselor'),
    ('counseling.record', 'complete'): ('counselor',),
    ('counseling.referral', 'cancel'): ('counselor',),
    ('counseling.referral', 'done'): ('counselor',),
    ('counseling.referral', 'draft'): ('counselor',),
    ('counseling.referral', 'refer'): ('counselor',),
    ('counseling.referral', 'reopen'): ('counselor',),
    ('job.introduction', 'acknowledge'): ('coordinator',),
    ('job.introduction', 'apply'): ('coordinator',),
    ('job.introduction', 'end'): ('coordinator',),
    ('job.introduction', 'interest'): ('coordinator',),
    ('job.introduction', 'interview'): ('coordinator',),
    ('job.introduction', 'offer'): ('coordinator',),
    ('job.introduction', 'place'): ('coordinator',),
    ('job.introduction', 'print_letter'): ('coordinator',),
    ('job.matching.gap', 'refresh'): ('coordinator',),
    ('job.change', 'close'): ('coordinator',),
    ('job.change', 'place'): ('coordinator',),
    ('job.change', 'reopen'): ('coordinator',),
    ('job.follow_up', 'cancel'): ('coordinator',),
    ('job.follow_up', 'plan_again'): ('coordinator',),
    ('job.follow_up', 'record'): ('coordinator', 'counselor'),
    ('job.order', 'close'): (),
    ('job.order', 'draft'): (),
    ('job.order', 'fill'): (),
    ('job.order', 'open'): (),
    ('line.configuration', 'read_quota'): (),
    ('line.event', 'retry'): ('sysadmin',),
    ('line.inquiry', 'close'): (),
    ('line.inquiry', 'reply'): (),
    ('line.inquiry', 'take'): (),
    ('line.message', 'send'): (),
    ('line.rich_menu', 'draw_image'): (),
    ('line.rich_menu', 'set_default'): (),
    ('line.rich_menu', 'upload'): (),
    ('sakai.approval', 'approve'): ('auditor',),
    ('sakai.approval', 'refuse'): ('auditor',),
    ('seminar.session', 'cancel'): (),
    ('seminar.session', 'do'): (),
    ('seminar.session', 'plan'): (),
    }

# Field access records: (model, field): rights per group, in GROUPS order
FIELDS = {
    ('counseling.referral', 'outcome_note'): ('rw', 'r', '', '', ''),
    ('counseling.referral', 'reason'): ('rw', 'r', '', '', ''),
    ('counseling.referral', 'shared_information'): ('rw', 'r', '', '', ''),
    ('job.introduction', 'override_reason'): ('r', 'rw', 'r', 'r', 'r'),
    ('line.configuration', 'stored_channel_access_token'): ('', '', '', '', ''),
    ('line.configuration', 'stored_channel_secret'): ('', '', '', '', ''),
    ('line.configuration', 'stored_login_channel_secret'): ('', '', '', '', ''),
    ('line.event', 'payload'): ('', '', '', '', ''),
    ('line.inquiry', 'reply_token'): ('', '', '', '', ''),
    ('line.message', 'content'): ('r', 'r', '', '', ''),
    ('line.message', 'reply_token'): ('', '', '', '', ''),
    ('questionnaire.response', 'last_data'): ('', '', '', '', ''),
    ('questionnaire.response', 'secret'): ('', '', '', '', ''),
    }

# Sensitive fields: (model, field): (kind, who may read, how it is held)
SENSITIVE = {
    ('counseling.record', 'concerns'): ('DV/health', 'counselor',
        "rule: records marked sensitive are read by counselors only"),
    ('counseling.record', 'notes'): ('DV/health', 'counselor',
        "rule: records marked sensitive are read by counselors only"),
    ('counseling.record.amendment', 'text'): ('DV/health', 'counselor',
        "rule: amendments of records marked sensitive are read by "
        "counselors only (an amendment can mark its record)"),
    ('counseling.referral', 'reason'): ('DV', 'counselor, coordinator',
        "rule: referrals to DV agencies for counselors only; field access: "
        "no manager"),
    ('counseling.referral', 'shared_information'): (
        'DV', 'counselor, coordinator', "as reason"),
    ('counseling.referral', 'outcome_note'): (
        'DV', 'counselor, coordinator', "as reason"),
    ('questionnaire.response.answer', 'text'): ('stress answers',
        'counselor (sensitive questionnaires), coordinator, manager '
        '(others)', "rule on questionnaire.sensitive"),
    ('questionnaire.response.score', 'value'): ('stress answers',
        'counselor (sensitive questionnaires)',
        "rule on questionnaire.sensitive"),
    ('job.follow_up', 'wellbeing'): ('stress and wellbeing',
        'counselor, coordinator', "model access: no manager (managers read "
        "the retention figures, job.retention.cohort)"),
    ('job.follow_up', 'childcare'): ('family', 'counselor, coordinator',
        "model access"),
    ('line.inquiry.message', 'text'): ("citizens' free text",
        'counselor, coordinator', "model access"),
    ('line.event', 'payload'): ("citizens' free text", 'nobody (server only)',
        "field access: no group; reduced to type and ids once processed "
        "(a question kept a day at most for a hand-over after FAQ "
        "choices)"),
    ('line.message', 'content'): ('may copy answers',
        'counselor; coordinator unless health data',
        "field access: counselor, coordinator; rule: messages marked "
        "sensitive (written from a health questionnaire) for counselors "
        "only; sysadmin reads states and errors, not content"),
    ('party.party.child', 'birth_date'): ('family',
        'counselor, coordinator, manager', "model access"),
    }


def render():
    "docs/access.md"
    lines = [
        "# Who may do what",
        "",
        "Generated from `tests/access_table.py` "
        "(`python tests/access_table.py > docs/access.md`); "
        "`tests/test_access.py` checks the database against it.",
        "`r` read, `w` write, `c` create, `d` delete; "
        "record rules narrow these further.",
        "`tests/test_attack.py` (PostgreSQL) attacks a running server over "
        "JSON-RPC as each group with calls generated from this table.",
        "",
        "| model | " + " | ".join(
            f"{GROUP_NAMES[g]} ({g})" for g in GROUPS) + " |",
        "| --- |" + " --- |" * len(GROUPS),
        ]
    for model, rights in sorted(MODELS.items()):
        lines.append(f"| `{model}` | " + " | ".join(
                r or "–" for r in rights) + " |")
    lines += ["", "## Record rules", "",
        "| model | rule | for | modes | domain |",
        "| --- | --- | --- | --- | --- |"]
    for model, name, groups, modes, domain in RULES:
        lines.append(f"| `{model}` | {name} | {', '.join(groups)} "
            f"| {modes} | `{domain}` |")
    lines += ["", "## Buttons limited to groups", "",
        "| model | button | groups |", "| --- | --- | --- |"]
    for (model, button), groups in sorted(BUTTONS.items()):
        lines.append(f"| `{model}` | {button} | "
            f"{', '.join(groups) or 'write access'} |")
    lines += ["", "## Field access", "",
        "| model | field | " + " | ".join(GROUPS) + " |",
        "| --- | --- |" + " --- |" * len(GROUPS)]
    for (model, field), rights in sorted(FIELDS.items()):
        lines.append(f"| `{model}` | {field} | " + " | ".join(
                r or "–" for r in rights) + " |")
    lines += ["", "## Sensitive fields", "",
        "| model | field | kind | read by | held by |",
        "| --- | --- | --- | --- | --- |"]
    for (model, field), (kind, who, how) in sorted(SENSITIVE.items()):
        lines.append(f"| `{model}` | {field} | {kind} | {who} | {how} |")
    return "\n".join(lines) + "\n"


if __name__ == '__main__':
    print(render(), end='')
