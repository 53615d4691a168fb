# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Employer development (求人開拓): where each employer is, the
coordinators' contacts with the developed ones (the advice given, the
subsidies explained, the next step), and two employers the service did not
develop whose jobs were taken from Hello Work.

Each developed employer agreed on the day ``employers.plan`` drew as its
``developed_on``: its log has the contacts before, the visit where it
agreed, and the follow-ups after, all before today.
"""
import datetime as dt

# The contacts of a developed employer, by its name: who the coordinators
# spoke with, then (when, kind, summary, advice, subsidies explained,
# outcome, next step, next step in days after the contact).  When is
# 'before' (three weeks before it agreed), 'agreed' (the day it agreed),
# 'after' (ten days later) or 'recent' (a few days ago).
CONTACTS = {
    '株式会社さかい介護サービス（デモ）': ('人事課長 西田様', [
            ('before', 'phone',
                "日勤のみの介護職員の採用について電話で相談。ひとり親の方の"
                "応募を歓迎したいとのこと。",
                None, [], 'interested', "事業所を訪問し、職場を見学する", 21),
            ('agreed', 'visit',
                "デイサービスを見学。日勤のみの正社員枠と短時間の訪問介護の"
                "求人を当事業に出していただけることになった。",
                "子どもの急な発熱での欠勤を職場全体でフォローする体制を、"
                "求人票にも明記するよう提案。シフト希望は月2回提出できる"
                "ようにしてはどうかと助言。",
                ['subsidy_tokutei', 'subsidy_trial'], 'agreed',
                "求人票（2件）を受け取る", 7),
            ('after', 'email',
                "求人票2件を受理。初任者研修の受講費用の支援内容を確認。",
                None, ['subsidy_jinzai'], 'job_order',
                "紹介候補者の状況を共有する", 14),
            ('recent', 'phone',
                "紹介中の方の面接日程を調整。夜勤なしの条件を再確認。",
                None, [], None, "面接後に結果を電話で確認", 7),
            ]),
    '泉北ベーカリー有限会社（デモ）': ('店長 北村様', [
            ('before', 'visit',
                "商店街の合同説明会で声をかけ、後日店舗を訪問。販売部門で"
                "短時間から始められる人を探している。",
                "学校行事の休みは1か月前の申請で取れると、面接時に伝えると"
                "安心されると助言。",
                [], 'interested', "パートから正社員への登用条件を確認", 14),
            ('agreed', 'visit',
                "販売スタッフを正社員登用ありで募集することで合意。",
                "9時〜15時の勤務から始め、子どもの成長に合わせて時間を"
                "延ばせる段階的な登用の流れを文書にするよう提案。",
                ['subsidy_career_up'], 'agreed',
                "求人票の受理", 5),
            ]),
    '堺みなと物流株式会社（デモ）': ('総務部 森本様', [
            ('before', 'phone',
                "配車受付の事務職の欠員について問い合わせがあった。",
                None, [], 'interested', "訪問して業務内容を聞く", 10),
            ('agreed', 'visit',
                "事務所を訪問。残業がほぼない一般事務と、短時間の倉庫内"
                "作業を当事業で募集することになった。",
                "ひとり親の方は朝の保育園の送りがあるため、始業を9時半に"
                "ずらせる枠を設けてはどうかと提案し、前向きに検討するとの"
                "こと。",
                ['subsidy_tokutei', 'subsidy_ryoritsu'], 'agreed',
                "求人票の受理", 7),
            ('after', 'online',
                "オンラインで求人票の内容を確認。正社員登用の実績（昨年3名）"
                "を求人票に記載。",
                None, [], 'job_order', "紹介状況を月1回報告", 30),
            ]),
    '医療法人なかもず会 なかもずクリニック（デモ）': ('事務長 岡本様', [
            ('before', 'event',
                "市の企業向けセミナーで院長と名刺交換。医療事務の人材を"
                "探しているとのこと。",
                None, [], 'interested', "クリニックを訪問", 14),
            ('agreed', 'visit',
                "医療事務と看護助手の募集を当事業に出していただけることに"
                "なった。",
                "医療事務未経験でも、入職後に資格取得を支援すれば応募者の"
                "幅が広がると助言。土曜午後が休みであることを強みとして"
                "打ち出すよう提案。",
                ['subsidy_trial', 'subsidy_jinzai'], 'agreed',
                "求人票の受理", 7),
            ('recent', 'phone',
                "医療事務の応募者について、面接前に職場見学ができるか相談。"
                "見学歓迎とのこと。",
                None, [], None, "見学日を応募者と調整", 5),
            ]),
    '株式会社フェニックスITソリューションズ（デモ）': ('管理部 川口様', [
            ('before', 'online',
                "オンラインで会社説明を受ける。在宅勤務とフレックスタイムの"
                "制度が整っている。",
                None, [], 'interested', "経理事務の求人条件を詰める", 10),
            ('agreed', 'visit',
                "本社を訪問。経理事務と在宅可の事務サポートの募集で合意。",
                "子どもの急病時に在宅勤務へ切り替えられる運用を、社内規程に"
                "明記するよう提案。短時間正社員制度の導入も紹介した。",
                ['subsidy_ryoritsu', 'subsidy_career_up'], 'agreed',
                "求人票の受理", 7),
            ('after', 'email',
                "経理事務の求人票を受理。事務サポートは4月から募集予定。",
                None, [], 'job_order', "事務サポートの求人開始時期を確認", 60),
            ('recent', 'online',
                "事務サポートの募集開始に向けて業務内容を確認。",
                None, ['subsidy_trial'], None, "求人票の下書きを受け取る", 10),
            ]),
    '社会福祉法人もず福祉会 もずの森保育園（デモ）': ('園長 山下様', [
            ('before', 'phone',
                "保育補助の人材について相談。職員の子どもの優先入園枠がある。",
                None, [], 'interested', "園を訪問", 7),
            ('agreed', 'visit',
                "保育補助（短時間）と保育士の募集で合意。",
                "保育士資格のない方も保育補助から始め、資格取得を支援する"
                "流れを求人票に書くと応募が増えると助言。",
                ['subsidy_jinzai'], 'agreed', "求人票の受理", 5),
            ('after', 'phone',
                "求人票2件を受理。優先入園枠の条件（勤務時間）を確認。",
                None, [], 'job_order', "紹介候補者の見学日を調整", 21),
            ]),
    '株式会社堺刃物工房（デモ）': ('代表 中井様', [
            ('before', 'visit',
                "工房を見学。年末の繁忙期は残業があるが、それ以外は定時退社。",
                None, [], 'interested', "製造ラインの求人内容を確認", 14),
            ('agreed', 'visit',
                "製造ライン作業の募集を当事業に出していただけることになった。",
                "繁忙期の残業を家庭の事情に合わせて調整できるよう、事前に"
                "希望を聞く仕組みをつくってはどうかと提案。",
                ['subsidy_tokutei'], 'agreed', "求人票の受理", 7),
            ]),
    '株式会社フレッシュマートさかい（デモ）': ('人事部 石田様', [
            ('before', 'phone',
                "店舗スタッフの大量募集について電話で相談。",
                None, [], 'interested', "本部を訪問", 7),
            ('agreed', 'visit',
                "販売スタッフ（正社員登用あり）と店舗事務の募集で合意。",
                "シフトは子どもの学校行事の予定を先に出せるようにし、"
                "短時間パートから正社員への登用基準を明確にするよう助言。",
                ['subsidy_career_up', 'subsidy_tokutei'], 'agreed',
                "求人票の受理", 7),
            ('after', 'visit',
                "中区の店舗を訪問し、登用制度で正社員になったひとり親の"
                "社員から話を聞いた。求職者向けの説明に使ってよいとのこと。",
                None, [], 'job_order', "店舗見学会の日程を決める", 30),
            ]),
    '税理士法人泉州会計事務所（デモ）': ('所長 松本様', [
            ('before', 'phone',
                "経理事務の募集について相談。簿記資格の取得を支援している。",
                None, [], 'interested', "事務所を訪問", 10),
            ('agreed', 'visit',
                "経理事務（正社員）と一般事務（パート）の募集で合意。",
                "確定申告期の繁忙について、期間と残業時間の目安を求人票に"
                "書くよう助言。子どもの長期休みの勤務時間短縮も提案。",
                ['subsidy_trial'], 'agreed', "求人票の受理", 7),
            ('after', 'email',
                "求人票2件を受理。",
                None, [], 'job_order', "繁忙期前に状況を確認", 45),
            ]),
    '株式会社美原精密工業（デモ）': ('工場長 藤原様', [
            ('before', 'event',
                "美原区の合同企業説明会で出会う。子育て中の社員が多い工場。",
                None, [], 'interested', "工場を見学", 14),
            ('agreed', 'visit',
                "工場を見学し、検品の製造ライン作業と品質管理事務の募集で"
                "合意。",
                "8時始業のため、朝の保育園の送りとの両立が課題。始業時刻を"
                "選べるようにすると応募が増えると助言。",
                ['subsidy_tokutei', 'subsidy_ryoritsu'], 'agreed',
                "求人票の受理", 7),
            ('recent', 'visit',
                "始業9時の短時間枠を新設することを検討中と聞いた。",
                None, [], None, "新しい求人票の案を受け取る", 14),
            ]),
    }

# Where the employers are: all in the city but the ones named here
LOCATION_KINDS = {}

# Employers the service did not develop, whose job orders came from Hello
# Work: name, industry, employees, location_kind, location, note, and the
# job order (title, employment_type, wage_type, wage_min, wage_max, hours,
# positions, short_hours, no_overtime, reference, description)
PUBLIC_EMPLOYERS = [
    ('株式会社和泉ロジテック（デモ）', 'logistics', 45, 'commuting',
        '和泉市', "堺市南区から車で20分。ハローワーク求人で知った。", (
            "出荷事務（パート）", 'part_time', 'hourly', 1150, 1250,
            "9:30〜15:30", 1, True, True, '27010-12345678',
            "出荷伝票の入力と電話応対です。ハローワーク堺の求人を"
            "紹介しています。")),
    ('医療法人さやま会 さやま病院（デモ）', 'care', 210, 'commuting',
        '大阪狭山市', "泉北高速・南海高野線で通勤可。", (
            "病棟クラーク", 'contract', 'hourly', 1200, 1300,
            "8:30〜15:00", 2, True, True, '27020-40581236',
            "病棟での受付と書類整理です。ハローワーク求人を紹介しています。")),
    ]
# And one contact with the second, not (yet) developed
PUBLIC_CONTACT = ('医療法人さやま会 さやま病院（デモ）', 'phone', '看護部 田村様',
    "ハローワーク求人の病棟クラークについて、ひとり親の方の応募を紹介"
    "できるか電話で確認。当事業への直接の求人も検討していただける。",
    "お迎えに間に合う15時までの勤務を続けられることを、面接で伝えて"
    "ほしいと依頼。",
    ['subsidy_tokutei'], 'interested', "病院を訪問して説明する", 14)


def contact_date(when, developed_on, today):
    "The day of a contact of the employer developed on developed_on"
    return {
        'before': developed_on - dt.timedelta(days=21),
        'agreed': developed_on,
        'after': developed_on + dt.timedelta(days=10),
        'recent': today - dt.timedelta(days=4),
        }[when]


def subsidy_ids(pool, names):
    ModelData = pool.get('ir.model.data')
    return [ModelData.get_id('sakai_jobs', name) for name in names]


def load(context):
    pool = context.pool
    Party = pool.get('party.party')
    Contact = pool.get('job.development.contact')
    JobOrder = pool.get('job.order')
    today = context.today
    coordinators = [
        context.staff['coordinator1'], context.staff['coordinator2']]

    # Where the developed employers are
    to_write = []
    for employer in context.employers:
        if not employer.location_kind:
            to_write.extend([[employer], {'location_kind':
                        LOCATION_KINDS.get(employer.name, 'in_city')}])
    if to_write:
        Party.write(*to_write)

    # The development log of each developed employer
    if not Contact.search([], limit=1):
        planned = {e['name']: e for e in context.planned['employers']}
        vlist = []
        for employer in context.employers:
            spoke_with, contacts = CONTACTS.get(employer.name, (None, []))
            plan = planned[employer.name]
            coordinator = coordinators[plan['developed_by']]
            for (when, kind, summary, advice, subsidies, outcome, next_step,
                    next_days) in contacts:
                date = contact_date(when, plan['developed_on'], today)
                # The follow-ups happened, the recent call comes after them
                if date >= today or (when == 'recent'
                        and date <= plan['developed_on']
                        + dt.timedelta(days=10)):
                    continue
                vlist.append({
                        'employer': employer.id,
                        'date': date,
                        'kind': kind,
                        'coordinator': coordinator.id,
                        'employer_contact': spoke_with,
                        'summary': summary,
                        'advice': advice,
                        'subsidies': [('add', subsidy_ids(pool, subsidies))],
                        'outcome': outcome,
                        'next_step': next_step,
                        'next_date': date + dt.timedelta(days=next_days),
                        })
        if vlist:
            Contact.create(vlist)
            context.count('development contact', len(vlist))

    # The employers of the Hello Work job orders
    to_open = []
    for (name, industry, employees, location_kind, location, note,
            job) in PUBLIC_EMPLOYERS:
        party, _ = context.get_or_create('party.party', [
                ('name', '=', name),
                ('is_employer', '=', True),
                ], {
                'name': name,
                'is_employer': True,
                'industry': industry,
                'employees': employees,
                'location_kind': location_kind,
                'single_parent_friendly': False,
                'employer_note': note,
                'lang': context.ja.id,
                }, 'employer')
        (title, employment_type, wage_type, wage_min, wage_max, hours,
            positions, short_hours, no_overtime, reference,
            description) = job
        order, created = context.get_or_create('job.order', [
                ('title', '=', title),
                ('employer', '=', party.id),
                ], {
                'employer': party.id,
                'title': title,
                'source': 'hello_work',
                'source_reference': reference,
                'employment_type': employment_type,
                'wage_type': wage_type,
                'wage_min': wage_min,
                'wage_max': wage_max,
                'hours': hours,
                'positions': positions,
                'short_hours': short_hours,
                'no_overtime': no_overtime,
                'location': location,
                'description': description,
                'received_on': today - dt.timedelta(days=12),
                'valid_until': today + dt.timedelta(days=48),
                'coordinator': coordinators[len(to_open) % 2].id,
                }, 'job order')
        if created:
            to_open.append(order)
    if to_open:
        JobOrder.open(to_open)

    name, kind, spoke_with, summary, advice, subsidies, outcome, next_step, \
        next_days = PUBLIC_CONTACT
    employer, = Party.search([('name', '=', name), ('is_employer', '=', True)])
    if not employer.development_contacts:
        date = today - dt.timedelta(days=6)
        Contact.create([{
                    'employer': employer.id,
                    'date': date,
                    'kind': kind,
                    'coordinator': coordinators[1].id,
                    'employer_contact': spoke_with,
                    'summary': summary,
                    'advice': advice,
                    'subsidies': [('add', subsidy_ids(pool, subsidies))],
                    'outcome': outcome,
                    'next_step': next_step,
                    'next_date': date + dt.timedelta(days=next_days),
                    }])
        context.count('development contact')


def summary(context):
    pool = context.pool
    Party = pool.get('party.party')
    JobOrder = pool.get('job.order')
    return [
        ('employer contacts',
            pool.get('job.development.contact').search_count([])),
        ('employers (dev.)', Party.search_count([
                    ('is_employer', '=', True),
                    ('developed_on', '!=', None)])),
        ('Hello Work jobs', JobOrder.search_count([
                    ('source', '=', 'hello_work')])),
        ]
